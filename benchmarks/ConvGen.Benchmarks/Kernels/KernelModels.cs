namespace ConvGen.Benchmarks.Kernels;

// One small network per kind of generated kernel, each built so that the layer it is named after does nearly all of
// the work (the Flatten and Dense 10 after a convolution or pooling layer are there because a model ends in a
// classifier). KernelBenchmarks times their forward pass and their forward and backward pass at batch 128. The inputs
// are small enough for a batch (3.2 MB at most) to stay in the L3 cache from one call to the next, as a layer's input
// does in a network; larger ones would time the memory instead (pooling 28×28×32 images ran at the bandwidth of DRAM).

/// <summary>The dense product: Dense 784→256 relu (200,704 of its 203,264 multiply-adds a sample), then Dense 10.</summary>
[Sequential(784)]
[Dense(256, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class DenseKernelModel;

/// <summary>The column-quad tiles: Dense 784→20 relu, mnist-mlp's first layer (15,680 of 15,880 multiply-adds a
/// sample), then Dense 10. A training step runs its product and kernel gradient in column-quad tiles (16 units in a
/// vector, the last 4 in blocks of 4 × 4); Predict runs the usual tiles.</summary>
[Sequential(784)]
[Dense(20, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class DenseColumnQuadsKernelModel;

/// <summary>The direct convolution: Conv2D 24@3×3 'same' on 14×14×24 (1,016,064 of 1,063,104 multiply-adds; 24
/// channels are not the multiples of 16 the Winograd forward takes), then Flatten and Dense 10.</summary>
[Sequential(14, 14, 24)]
[Conv2D(24, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class DirectConvolutionKernelModel;

/// <summary>The Winograd F(2×2, 3×3) forward and kernel gradient (a first layer has no input gradient): Conv2D 32@3×3
/// 'same' on 14×14×32 (1,806,336 of 1,869,056 multiply-adds by the direct count), then Flatten and Dense 10.</summary>
[Sequential(14, 14, 32)]
[Conv2D(32, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class WinogradConvolutionKernelModel;

/// <summary>Max pooling: MaxPooling2D 2 on 14×14×32 (6,272 values in, 1,568 out), then Flatten and Dense 10 (15,680
/// multiply-adds).</summary>
[Sequential(14, 14, 32)]
[MaxPooling2D(2)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class MaxPoolingKernelModel;

/// <summary>Batch normalisation: BatchNormalization on 14×14×32 (6,272 values), then Flatten and Dense 10 (62,720
/// multiply-adds).</summary>
[Sequential(14, 14, 32)]
[BatchNormalization]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class BatchNormalizationKernelModel;
