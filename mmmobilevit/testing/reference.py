"""Reference numbers the tests check against (the reference sheet, sections 1-3)."""

#: Exact parameter counts of the 19 ImageNet classifiers (backbone + 1000-way fc),
#: built with the reference code (ml-cvnets, the MobileViTv3 release; the -l2 counts
#: are those of the MobileViTv3-v1 `*_v3_fast` modes, as issue 14 gives them).
REFERENCE_PARAMS = {
    'mobilevit-xxs': 1_272_024,
    'mobilevit-xs': 2_317_848,
    'mobilevit-s': 5_578_632,
    'mobilevitv2-0.5': 1_370_593,
    'mobilevitv2-0.75': 2_866_009,
    'mobilevitv2-1.0': 4_901_841,
    'mobilevitv2-1.25': 7_478_089,
    'mobilevitv2-1.5': 10_594_753,
    'mobilevitv2-1.75': 14_251_833,
    'mobilevitv2-2.0': 18_449_329,
    'mobilevitv3-xxs': 1_249_448,
    'mobilevitv3-xs': 2_490_360,
    'mobilevitv3-s': 5_763_912,
    'mobilevitv3-xxs-l2': 1_145_288,
    'mobilevitv3-xs-l2': 2_257_320,
    'mobilevitv3-s-l2': 5_169_864,
    'mobilevitv3-0.5': 1_429_985,
    'mobilevitv3-0.75': 2_999_641,
    'mobilevitv3-1.0': 5_139_409,
}
