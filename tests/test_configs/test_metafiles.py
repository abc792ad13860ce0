"""model-index.yml and the metafiles: complete, consistent with the configs, and the
model-zoo pages are what tools/analysis_tools/model_zoo.py writes."""
import glob
import os.path as osp

import pytest
import yaml

from helpers import REPO, run_tool
from mmmobilevit.utils.model_zoo import load_models


def test_every_config_is_in_the_model_index_once():
    models = load_models(REPO)
    names = [m['Name'] for _, m in models]
    assert len(names) == len(set(names))
    listed = [m['Config'] for _, m in models]
    assert len(listed) == len(set(listed))
    on_disk = sorted(osp.relpath(p, REPO) for p in glob.glob(
        osp.join(REPO, 'configs', 'mobilevit*', '*.py')))
    assert sorted(listed) == on_disk


def test_entries_have_the_openmmlab_fields():
    for path in glob.glob(osp.join(REPO, 'configs', 'mobilevit*', 'metafile.yml')):
        meta = yaml.safe_load(open(path))
        collections = {c['Name']: c for c in meta['Collections']}
        for c in collections.values():
            assert c['Paper']['URL'].startswith('https://arxiv.org/abs/')
            assert c['Code']['URL'].startswith('https://github.com/')
        for m in meta['Models']:
            assert m['In Collection'] in collections, m['Name']
            assert set(m['Metadata']) >= {'FLOPs', 'Parameters'}
            result = m['Results'][0]
            assert result['Task'] and result['Dataset'] and result['Metrics']
            if m.get('Weights'):  # released weights come from Apple's or mmpretrain's zoo
                assert m['Weights'].startswith(('https://download.openmmlab.com/',
                                                'https://docs-assets.developer.apple.com/'))
                assert m['Converted From']['Weights'].startswith('https://')
            if result['Task'] in ('Object Detection', 'Semantic Segmentation'):
                # every dense config is a release with its trained model
                assert m.get('Weights') or m['Converted From']['Weights'], m['Name']
            # the licence of the weights each entry links (NOTICE lists them)
            source = m.get('Weights') or (m.get('Converted From') or {}).get('Weights', '')
            expected = ('no weights' if not source else
                        'MobileViTv3 release: non-commercial use only'
                        if 'micronDLA' in source else "Apple's ml-cvnets licence")
            assert m['Weights License'].startswith(expected), m['Name']


@pytest.mark.slow  # every dense config read
def test_v1_weights_are_the_ones_the_dense_configs_initialise_from():
    from helpers.configs import load_config
    weights = {m['Config'].split('/')[-1].split('_')[0]: m['Weights']
               for _, m in load_models(REPO) if m['Name'].endswith('_3rdparty_in1k')
               and m['Config'].startswith('configs/mobilevit/')}
    for arch, url in weights.items():
        cfg = load_config(osp.join(REPO, f'configs/mobilevit/ssdlite_{arch}_coco.py'))
        assert cfg.model.backbone.init_cfg.checkpoint == url


@pytest.mark.slow
def test_metafile_numbers_match_the_configs():
    out = run_tool(['tools/analysis_tools/model_zoo.py', '--check', '--jobs', '2'],
                   timeout=1200).stdout
    assert 'metafile params and FLOPs match their configs' in out


def test_model_zoo_pages_are_the_tools_output():
    """docs/model_zoo/<family>.md and configs/<family>/README.md are what
    ``model_zoo.py --write`` writes from the metafiles (not edited by hand)."""
    from helpers import load_tool
    tool = load_tool('tools/analysis_tools/model_zoo.py')
    pages = tool.family_pages(load_models(REPO), REPO)
    assert len(pages) == 6
    for path, text in pages.items():
        assert osp.isfile(path), f'{path} is missing: run model_zoo.py --write'
        assert open(path).read() == text, f'{path} differs: run model_zoo.py --write'
    v1 = open(osp.join(REPO, 'configs', 'mobilevit', 'README.md')).read()
    assert '| mobilevit-s_3rdparty_in1k | 5.58 | 2.03 | 78.25 | [config](mobilevit-s_8xb' in v1
