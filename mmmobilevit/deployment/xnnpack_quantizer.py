"""int8 SiLU for ExecuTorch's XNNPACK backend: a PT2E quantizer and the partitioner
configs that delegate what it quantizes.

ExecuTorch 1.5.1's ``XNNPACKQuantizer`` annotates convolutions, linear layers, adds,
multiplies, concatenations and pooling, and its partitioner takes sigmoid in fp32 only.
MobileViT's every convolution and FFN is followed by a SiLU, so in its int8 program each
SiLU ran in fp32 between a dequantize and a quantize (``tools/analysis_tools/
profile_executorch.py`` shows what that costs). XNNPACK does run int8 sigmoid (as a
lookup table) and int8 products; what was missing is the annotation and the
partitioner's consent:

- :class:`SiLUXNNPACKQuantizer` splits each SiLU of the exported graph into
  ``x * sigmoid(x)`` (what ExecuTorch's edge dialect decomposes it into anyway) and
  quantizes both: the sigmoid's output with the fixed parameters of a ``[0, 1)`` range
  (scale 1/256, zero point -128, as XNNPACK's int8 sigmoid has always used), the product
  observed as any other activation;
- :data:`PARTITIONER_CONFIGS` is ExecuTorch's list with a sigmoid config that also
  takes the quantized form. fp32 graphs are partitioned exactly as before.

Imports ExecuTorch: import this module only where ExecuTorch is installed.
"""
from typing import List, Type

import torch
from executorch.backends.xnnpack.partition.config import ALL_PARTITIONER_CONFIGS
from executorch.backends.xnnpack.partition.config.generic_node_configs import SigmoidConfig
from executorch.backends.xnnpack.partition.config.xnnpack_config import (ConfigPrecisionType,
                                                                         XNNPartitionerConfig)
from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer
from torch import fx
from torchao.quantization.pt2e.quantizer import (FixedQParamsQuantizationSpec,
                                                 QuantizationAnnotation, SharedQuantizationSpec)

ANNOTATION_KEY = 'quantization_annotation'  # PT2E's node.meta key
SILU_OPS = (torch.ops.aten.silu.default, torch.ops.aten.silu_.default)

#: int8 sigmoid output: ``[0, 1)`` in steps of 1/256
SIGMOID_OUTPUT_QSPEC = FixedQParamsQuantizationSpec(
    dtype=torch.int8, scale=1. / 256, zero_point=-128, quant_min=-128, quant_max=127,
    qscheme=torch.per_tensor_affine)


def split_silu(graph_module: fx.GraphModule) -> int:
    """Replace every ``silu`` / ``silu_`` node of ``graph_module`` by
    ``mul(x, sigmoid(x))``; later readers of an in-place SiLU's input read the product,
    as they read the mutated tensor before. Returns how many were replaced."""
    graph = graph_module.graph
    order = {node: i for i, node in enumerate(graph.nodes)}
    replaced = 0
    for node in list(graph.nodes):
        if node.op != 'call_function' or node.target not in SILU_OPS:
            continue
        x = node.args[0]
        with graph.inserting_before(node):
            sigmoid = graph.call_function(torch.ops.aten.sigmoid.default, (x, ))
            product = graph.call_function(torch.ops.aten.mul.Tensor, (x, sigmoid))
        for new in (sigmoid, product):
            new.meta.update({k: v for k, v in node.meta.items() if k != ANNOTATION_KEY})
        node.replace_all_uses_with(product)
        if node.target is torch.ops.aten.silu_.default:
            for user in list(x.users):
                if user not in (sigmoid, product, node) and order.get(user, -1) > order[node]:
                    user.replace_input_with(x, product)
        graph.erase_node(node)
        replaced += 1
    graph_module.recompile()
    return replaced


class SiLUXNNPACKQuantizer(XNNPACKQuantizer):
    """ExecuTorch's ``XNNPACKQuantizer`` that also quantizes SiLU (see the module's
    docstring). Set its global config with ``set_global`` as the parent's; the sigmoid
    and product take their activation specs from it."""

    def transform_for_annotation(self, model: fx.GraphModule) -> fx.GraphModule:
        split_silu(model)
        return super().transform_for_annotation(model)

    def annotate(self, model: fx.GraphModule) -> fx.GraphModule:
        if self.global_config is None:
            raise ValueError('SiLUXNNPACKQuantizer needs set_global(config) first')
        act_in = self.global_config.input_activation
        act_out = self.global_config.output_activation
        for node in model.graph.nodes:
            if node.op != 'call_function' or node.target is not torch.ops.aten.sigmoid.default:
                continue
            x = node.args[0]
            products = [user for user in node.users
                        if user.target is torch.ops.aten.mul.Tensor and user.args == (x, node)]
            if not products or not x.meta['val'].dtype.is_floating_point:
                continue
            node.meta[ANNOTATION_KEY] = QuantizationAnnotation(
                input_qspec_map={x: act_in}, output_qspec=SIGMOID_OUTPUT_QSPEC, _annotated=True)
            for product in products:  # (the sigmoid's observer, not a second one)
                product.meta[ANNOTATION_KEY] = QuantizationAnnotation(
                    input_qspec_map={x: act_in, node: SharedQuantizationSpec(node)},
                    output_qspec=act_out, _annotated=True)
        return super().annotate(model)


class Int8SigmoidConfig(SigmoidConfig):
    """ExecuTorch's sigmoid partitioner config, taking int8 sigmoid too."""

    def supported_precision_types(self) -> List[ConfigPrecisionType]:
        return [ConfigPrecisionType.FP32, ConfigPrecisionType.STATIC_QUANT]


#: ExecuTorch's XNNPACK partitioner configs, with :class:`Int8SigmoidConfig`
PARTITIONER_CONFIGS: List[Type[XNNPartitionerConfig]] = [
    Int8SigmoidConfig if config is SigmoidConfig else config
    for config in ALL_PARTITIONER_CONFIGS
]
