"""Writes written-by-python.safetensors: a safetensors file made without ConvGen (and without the safetensors
library), from the format's definition, for SafetensorsTests.AFileWrittenByAnIndependentWriterLoads.

The model it fits: Conv2D(5, 3x3) on 4x4x3 images, BatchNormalization, Flatten, Dense(3, softmax). Unlike ConvGen's
writer it orders the tensors by name (as the reference implementation does), writes JSON with spaces and sorted keys,
and carries other metadata. Tensor number t (in Keras order) holds the values t * 1000 + i / 4 for i = 0, 1, ...,
which float32 represents exactly. Run it from this folder: python3 write_safetensors_fixture.py
"""
import json
import struct

keras_order = [
    ("conv2d/kernel", [3, 3, 3, 5]),
    ("conv2d/bias", [5]),
    ("batch_normalization/gamma", [5]),
    ("batch_normalization/beta", [5]),
    ("batch_normalization/moving_mean", [5]),
    ("batch_normalization/moving_variance", [5]),
    ("dense/kernel", [20, 3]),
    ("dense/bias", [3]),
]


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


values = {name: [t * 1000 + i / 4 for i in range(count(shape))] for t, (name, shape) in enumerate(keras_order)}
header = {"__metadata__": {"format": "pt", "written_by": "write_safetensors_fixture.py"}}
data = b""
for name, shape in sorted(keras_order):
    packed = struct.pack("<%df" % len(values[name]), *values[name])
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(packed)]}
    data += packed

text = json.dumps(header, sort_keys=True).encode("utf-8")
text += b" " * (-len(text) % 8)
with open("written-by-python.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
