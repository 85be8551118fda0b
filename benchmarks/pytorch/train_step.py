#!/usr/bin/python3
"""Eager PyTorch's side of `ConvGen.Benchmarks compare`: the same networks, timed the same way.

A worker driven by the C# command over a line protocol, so that each network is measured by ConvGen, PyTorch and the
interpreted engine one after another (the machine is shared and its load drifts over minutes):

  OPENBLAS_NUM_THREADS=1 python3 train_step.py --threads N
    -> writes one JSON line describing this PyTorch (version, threads, oneDNN, BLAS)
    <- reads one JSON line per network: its architecture (written by the C# side from the model's ModelDescription),
       batch size, timing plan and the MNIST test digits batch-1 inference classifies
    -> writes one JSON line per network: the median training-step time, the batch-1 inference latency (on the
       digits, one per call in turn, and on the first image of the random batch), and which oneDNN primitives one
       step and one inference executed
  OpenBLAS runs single-threaded (PyTorchRunner.Start says why: its pthread pool fights OpenMP's workers for the cores).
  Errors go to stderr. The protocol has its own file descriptor: file descriptor 1 is pointed at stderr, so what
  native code prints (oneDNN's verbose output) cannot corrupt it.

The model is what one writes in PyTorch: NCHW float32 tensors, nn.Conv2d / nn.Linear / nn.BatchNorm2d / ..., Keras'
'same' padding made explicit (TensorFlow puts the odd cell at the bottom/right), nn.Flatten in PyTorch's own CHW order
(Keras flattens HWC; the order changes no arithmetic), and the model's final softmax left out because
nn.CrossEntropyLoss takes logits and fuses it, as ConvGen fuses it with its loss. The training step is
zero_grad(set_to_none=True), forward, CrossEntropyLoss, backward, torch.optim.Adam(lr=1e-3, eps=1e-7).step() on one
fixed random batch.
"""

import argparse
import collections
import ctypes
import itertools
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------------------------------------------------------------
# Building the network


class Normalization(nn.Module):
    """(x - mean) / std with constants, ConvGen's Normalization layer."""

    def __init__(self, mean, std):
        super().__init__()
        self.mean = mean
        self.std = std

    def forward(self, x):
        return (x - self.mean) / self.std


class Rescaling(nn.Module):
    """x * scale + offset, Keras' Rescaling."""

    def __init__(self, scale, offset):
        super().__init__()
        self.scale = scale
        self.offset = offset

    def forward(self, x):
        return x * self.scale + self.offset


class Pad(nn.Module):
    """Explicit, possibly asymmetric padding (left, right, top, bottom) with a constant."""

    def __init__(self, padding, value):
        super().__init__()
        self.padding = padding
        self.value = value

    def forward(self, x):
        return F.pad(x, self.padding, value=self.value)


class AveragePool(nn.Module):
    """Average pooling whose padded cells do not count, also when the padding is asymmetric (TensorFlow's rule)."""

    def __init__(self, pool, strides, padding):
        super().__init__()
        self.pool = pool
        self.strides = strides
        self.padding = padding

    def forward(self, x):
        sums = F.avg_pool2d(F.pad(x, self.padding), self.pool, self.strides, divisor_override=1)
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
        counts = F.avg_pool2d(F.pad(ones, self.padding), self.pool, self.strides, divisor_override=1)
        return sums / counts


def activation_module(name):
    # Softmax is only ever the model's last activation; CrossEntropyLoss applies it, so the model outputs logits.
    return {
        "linear": None,
        "softmax": None,
        "relu": nn.ReLU(),
        "sigmoid": nn.Sigmoid(),
        "tanh": nn.Tanh(),
    }[name]


def torch_padding(layer):
    """(left, right, top, bottom) for F.pad from the layer's [top, bottom, left, right]."""
    top, bottom, left, right = layer["padding"]
    return (left, right, top, bottom)


def layer_modules(layer, input_shape):
    """The modules of one layer; input_shape is (channels, height, width) or (features,)."""
    kind = layer["type"]
    if kind == "conv2d":
        padding = torch_padding(layer)
        left, right, top, bottom = padding
        modules = []
        if left == right and top == bottom:
            conv_padding = (top, left)
        else:
            modules.append(Pad(padding, 0.0))
            conv_padding = (0, 0)
        modules.append(nn.Conv2d(input_shape[0], layer["filters"], tuple(layer["kernel"]), tuple(layer["strides"]),
                                 conv_padding, bias=layer["use_bias"]))
        modules.append(activation_module(layer["activation"]))
        return modules
    if kind == "max_pooling2d":
        padding = torch_padding(layer)
        modules = [Pad(padding, float("-inf"))] if any(padding) else []
        modules.append(nn.MaxPool2d(tuple(layer["pool"]), tuple(layer["strides"])))
        return modules
    if kind == "average_pooling2d":
        padding = torch_padding(layer)
        if any(padding):
            return [AveragePool(tuple(layer["pool"]), tuple(layer["strides"]), padding)]
        return [nn.AvgPool2d(tuple(layer["pool"]), tuple(layer["strides"]))]
    if kind == "flatten":
        return [nn.Flatten()]
    if kind == "dense":
        return [nn.Linear(input_shape[0], layer["units"], bias=layer["use_bias"]), activation_module(layer["activation"])]
    if kind == "activation":
        return [activation_module(layer["activation"])]
    if kind == "dropout":
        return [nn.Dropout(layer["rate"])]
    if kind == "batch_normalization":
        norm = nn.BatchNorm2d if len(input_shape) == 3 else nn.BatchNorm1d
        return [norm(input_shape[0], eps=layer["epsilon"], momentum=layer["torch_momentum"])]
    if kind == "normalization":
        return [Normalization(layer["mean"], layer["std"])]
    if kind == "rescaling":
        return [Rescaling(layer["scale"], layer["offset"])]
    raise ValueError(f"unknown layer type {kind!r}")


def torch_shape(shape):
    """ConvGen's (height, width, channels) or flat shape as PyTorch's per-sample (C, H, W) or (features,)."""
    if shape["flat"]:
        return (shape["channels"],)
    return (shape["channels"], shape["height"], shape["width"])


def build_model(network):
    """The network as nn.Sequential, each layer's output shape checked against ConvGen's."""
    blocks = []
    shape = torch_shape(network["input"])
    probe = torch.zeros((2,) + shape)
    for layer in network["layers"]:
        modules = [m for m in layer_modules(layer, shape) if m is not None]
        block = nn.Sequential(*modules)
        with torch.no_grad():
            probe = block.eval()(probe)
        expected = torch_shape(layer["output"])
        actual = tuple(probe.shape[1:])
        if layer["type"] == "flatten":
            expected = (math.prod(expected),)
        if actual != expected:
            raise ValueError(f"{network['name']}: layer {layer['name']} gives {actual} in PyTorch, {expected} in ConvGen")
        blocks.extend(modules)
        shape = actual
    model = nn.Sequential(*blocks)
    parameters = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if parameters != network["trainable_parameters"]:
        raise ValueError(f"{network['name']}: {parameters} trainable parameters in PyTorch, "
                         f"{network['trainable_parameters']} in ConvGen")
    return model, parameters


# ---------------------------------------------------------------------------------------------------------------------
# Timing: the same plan as the C# side's StepTimer


def measure_steps(step, plan):
    """Warm-up (at least min_warmup_steps and warmup_seconds), then `repeats` runs of a fixed number of steps; the
    median per-step time of the runs. Without a fixed step count, each run lasts about repeat_seconds, judged from the
    fastest warm-up step."""
    started = time.perf_counter()
    warmup_steps = 0
    fastest = math.inf
    while True:
        t0 = time.perf_counter()
        step()
        fastest = min(fastest, time.perf_counter() - t0)
        warmup_steps += 1
        if warmup_steps >= plan["min_warmup_steps"] and time.perf_counter() - started >= plan["warmup_seconds"]:
            break
    steps = plan["steps"] or max(1, math.ceil(plan["repeat_seconds"] / fastest))
    repeats = []
    for _ in range(plan["repeats"]):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        repeats.append((time.perf_counter() - t0) / steps)
    return {
        "median_seconds": statistics.median(repeats),
        "repeat_seconds": repeats,
        "steps_per_repeat": steps,
        "warmup_steps": warmup_steps,
    }


def measure_latency(call, plan):
    """Warm-up calls (at least warmup_calls and warmup_seconds), then single calls timed one by one (at least
    min_calls, then until max_calls or max_seconds); their median."""
    warmup_started = time.perf_counter()
    calls = 0
    while calls < plan["warmup_calls"] or time.perf_counter() - warmup_started < plan["warmup_seconds"]:
        call()
        calls += 1
    times = []
    started = time.perf_counter()
    while len(times) < plan["max_calls"]:
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
        if len(times) >= plan["min_calls"] and time.perf_counter() - started >= plan["max_seconds"]:
            break
    return {"median_seconds": statistics.median(times), "calls": len(times)}


# ---------------------------------------------------------------------------------------------------------------------
# Which oneDNN primitives run


_libc = ctypes.CDLL(None)


def onednn_primitives(action):
    """Runs `action` once with oneDNN's verbose mode on and counts the primitives it executed by kind and
    implementation, e.g. {"convolution jit:avx512_core forward_training": 2}. Native output goes to file descriptor 1,
    which is redirected into a temporary file for the duration."""
    with tempfile.TemporaryFile(mode="w+") as capture:
        sys.stdout.flush()
        _libc.fflush(None)
        saved = os.dup(1)
        os.dup2(capture.fileno(), 1)
        try:
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                action()
            _libc.fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        capture.seek(0)
        counts = collections.Counter()
        for line in capture:
            fields = line.strip().split(",")
            if len(fields) > 6 and fields[0] in ("onednn_verbose", "dnnl_verbose") and fields[1] == "exec":
                kind, implementation, propagation = fields[3], fields[4], fields[5]
                if kind != "reorder":
                    counts[f"{kind} {implementation} {propagation}"] += 1
                else:
                    counts["reorder"] += 1
        return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------------------------------------------------
# One network


def digit_images(network):
    """The request's MNIST test digits (ConvGen's height-width-channel order, one after another) as PyTorch's
    per-sample tensors of one image each: (1, C, H, W), or (1, features) for a flat input."""
    shape = network["input"]
    values = torch.tensor(network["digits"], dtype=torch.float32)
    if shape["flat"]:
        batch = values.reshape(-1, shape["channels"])
    else:
        batch = values.reshape(-1, shape["height"], shape["width"], shape["channels"]).permute(0, 3, 1, 2)
    return [batch[i:i + 1].contiguous() for i in range(batch.shape[0])]


def measure_network(network):
    torch.manual_seed(1)
    model, parameters = build_model(network)
    batch = network["batch"]
    shape = torch_shape(network["input"])
    generator = torch.Generator().manual_seed(1)
    images = torch.rand((batch,) + shape, generator=generator, dtype=torch.float32).contiguous()
    labels = torch.arange(batch, dtype=torch.int64) % network["classes"]
    loss_function = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(images), labels)
        loss.backward()
        optimizer.step()

    model.train()
    train = measure_steps(train_step, network["training_plan"])
    train_primitives = onednn_primitives(train_step)

    model.eval()
    noise = images[:1].clone()
    digits = digit_images(network)
    turn = itertools.cycle(digits)

    def infer_noise():
        model(noise)

    def infer_digit():
        model(next(turn))

    # Gradient tracking off once around all the timed calls, as a loop of predictions would run: entering no_grad()
    # costs about a microsecond, which timed inside every call would have counted against PyTorch.
    with torch.no_grad():
        inference = measure_latency(infer_digit, network["inference_plan"])
        inference_noise = measure_latency(infer_noise, network["inference_plan"])
        inference_primitives = onednn_primitives(infer_digit)
    return {
        "name": network["name"],
        "trainable_parameters": parameters,
        "training": train,
        "inference": inference,
        "inference_noise": inference_noise,
        "onednn_training": train_primitives,
        "onednn_inference": inference_primitives,
    }


# ---------------------------------------------------------------------------------------------------------------------
# This PyTorch


def loaded_libraries(pattern):
    names = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if re.search(pattern, os.path.basename(path)):
                names.add(path)
    return sorted(names)


def openblas_threads(libraries):
    """OpenBLAS's own thread count (openblas_get_num_threads), or None when no OpenBLAS is loaded."""
    for path in libraries:
        if "openblas" in os.path.basename(path):
            try:
                return ctypes.CDLL(path).openblas_get_num_threads()
            except (OSError, AttributeError):
                return None
    return None


def describe_torch(default_threads):
    config = torch.__config__.show()
    capability = re.search(r"CPU capability usage: (\S+)", config)
    onednn = re.search(r"MKL-DNN v([\d.]+)", config)
    blas_info = re.search(r"BLAS_INFO=([^,\s]+)", config)
    # A Linear layer's matrix product loads whatever BLAS the system's libblas.so.3 points at.
    torch.nn.functional.linear(torch.rand(64, 64), torch.rand(64, 64))
    blas_libraries = loaded_libraries(r"blas|lapack")
    return {
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "default_threads": default_threads,
        "interop_threads": torch.get_num_interop_threads(),
        "parallel_info": torch.__config__.parallel_info().strip().splitlines(),
        "cpu_capability": capability.group(1) if capability else None,
        "onednn_version": onednn.group(1) if onednn else None,
        "onednn_enabled": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
        "blas_info": blas_info.group(1) if blas_info else None,
        "blas_libraries": blas_libraries,
        "openblas_threads": openblas_threads(blas_libraries),
        "openmp_libraries": loaded_libraries(r"gomp|iomp|libomp"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, required=True, help="torch.set_num_threads(N)")
    arguments = parser.parse_args()

    # The protocol keeps the original stdout; everything else written to file descriptor 1 goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout.flush()
    os.dup2(2, 1)

    default_threads = torch.get_num_threads()
    torch.set_num_threads(arguments.threads)
    protocol.write(json.dumps(describe_torch(default_threads)) + "\n")

    for line in sys.stdin:
        if not line.strip():
            continue
        network = json.loads(line)
        try:
            result = measure_network(network)
        except Exception as error:  # reported to the C# side, which fails with the message
            traceback.print_exc(file=sys.stderr)
            result = {"name": network.get("name"), "error": f"{type(error).__name__}: {error}"}
        protocol.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
