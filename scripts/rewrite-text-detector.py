#!/usr/bin/python3
"""Rewrites PaddleOCR's PP-OCRv4 detection model so OpenCV 4.6's DNN importer loads it.

Two changes, nothing else (the weights are untouched):
  1. Clip: opset 11 passes min/max as inputs (here produced by Constant nodes); OpenCV 4.6
     reads them only as attributes (the opset-6 form), so each Clip gets min/max attributes
     and keeps just its data input.
  2. The input shape is fixed: batch 1 and 3 channels always; height and width too when given.
     OpenCV 4.6 fixes a network's Resize/ConvTranspose shapes on its first forward pass, so a
     net object serves one input shape. The border bands differ in shape from image to image,
     hence the default keeps height and width open and medanon holds one net per band shape
     (src/pixel/learned_text_detector.cpp); HEIGHT WIDTH fixes them for a single-shape use.

Usage: rewrite-text-detector.py IN.onnx OUT.onnx [HEIGHT WIDTH]
Needs Debian's python3-onnx (run with /usr/bin/python3).
"""
import sys

import onnx
from onnx import numpy_helper


def constant_values(graph):
    values = {}
    for init in graph.initializer:
        values[init.name] = numpy_helper.to_array(init)
    for node in graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    values[node.output[0]] = numpy_helper.to_array(attribute.t)
    return values


def clip_inputs_to_attributes(graph):
    values = constant_values(graph)
    rewritten = 0
    for node in graph.node:
        if node.op_type != "Clip" or len(node.input) == 1:
            continue
        bounds = {}
        for name, position in (("min", 1), ("max", 2)):
            if len(node.input) > position and node.input[position]:
                source = node.input[position]
                if source not in values:
                    raise SystemExit(f"Clip {node.name}: {name} comes from {source}, not a constant")
                bounds[name] = float(values[source].reshape(-1)[0])
        del node.input[1:]
        for name, value in bounds.items():
            node.attribute.append(onnx.helper.make_attribute(name, value))
        rewritten += 1
    # Constants nothing reads any more are dropped so the importer does not see dangling outputs.
    used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    dangling = [n for n in graph.node if n.op_type == "Constant" and n.output[0] not in used]
    for node in dangling:
        graph.node.remove(node)
    return rewritten


def fix_input_shape(graph, height, width):
    shape = graph.input[0].type.tensor_type.shape
    for dim, value in zip(shape.dim, (1, 3, height, width)):
        dim.Clear()
        if value is None:
            dim.dim_param = "height" if dim is shape.dim[2] else "width"
        else:
            dim.dim_value = value
    # Inferred intermediate shapes would contradict the new input; OpenCV infers its own.
    for info in list(graph.value_info):
        graph.value_info.remove(info)


def main():
    if len(sys.argv) not in (3, 5):
        raise SystemExit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    height, width = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) == 5 else (None, None)
    model = onnx.load(source)
    if len(model.graph.input) != 1:
        raise SystemExit(f"{source}: expected one input, found {len(model.graph.input)}")
    clips = clip_inputs_to_attributes(model.graph)
    fix_input_shape(model.graph, height, width)
    onnx.save(model, target)
    shape = f"1x3x{height}x{width}" if height else "1x3xHxW"
    print(f"rewrote {clips} Clip nodes, input {shape}: {target}")


if __name__ == "__main__":
    main()
