namespace ConvGen.Tests.Generated;

// Small models, compiled by the generator in this test project, that between them exercise every layer kind and
// option on shapes chosen to hit the kernels' edge cases: channel counts that are not multiples of any vector width,
// tiles with tails, 'same' padding with an odd total, strides, overlapping pools, and both kernel-gradient blockings
// (fewer and more than 8 input channels). Smooth activations keep finite differences away from kinks.

/// <summary>Conv2D 'valid', rectangular kernel, 3 input channels (the flattened kernel-gradient rows).</summary>
[Sequential(7, 8, 3)]
[Conv2D(5, 3, 2, Activation = Activation.Tanh)]
[Flatten]
[Dense(4, Activation = Activation.Softmax)]
public partial class ConvValidModel;

/// <summary>Conv2D 'same' with stride 2 and an odd total padding, then a second 'same' conv that needs the first's
/// input gradient through the strides.</summary>
[Sequential(9, 10, 2)]
[Conv2D(6, 4, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.Tanh)]
[Conv2D(9, 3, Padding = Padding.Same, Activation = Activation.Sigmoid)]
[Conv2D(4, 2, 3, Strides = 3, Padding = Padding.Same, Activation = Activation.Tanh, KernelInitializer = Initializer.HeNormal)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class ConvSameStridedModel;

/// <summary>Conv2D with 9 and 20 input channels (per-tap kernel-gradient tiles), 19 and 20 filters (a partial vector),
/// no bias.</summary>
[Sequential(6, 6, 9)]
[Conv2D(20, 2, Activation = Activation.Tanh)]
[Conv2D(19, 3, UseBias = false, Activation = Activation.Tanh)]
[Flatten]
[Dense(5, Activation = Activation.Softmax)]
public partial class ConvWideModel;

/// <summary>3×3 convolutions at stride 1 with input channels and filters in multiples of 16 and even output sizes: their
/// forward pass is Winograd's F(2×2, 3×3) ('same' and 'valid', with and without bias, with and without an activation),
/// and so are all three kernel gradients and the input gradients of the second ('valid', applying the first's tanh
/// derivative as it writes) and the third ('same': the zero-bordered input's gradient, then cropped); a split pass
/// shares out the bands of two output rows.</summary>
[Sequential(10, 8, 16)]
[Conv2D(16, 3, Padding = Padding.Same, Activation = Activation.Tanh)]
[Conv2D(32, 3, UseBias = false, Activation = Activation.Tanh)]
[Conv2D(16, 3, Padding = Padding.Same)]
[Flatten]
[Dense(4, Activation = Activation.Softmax)]
public partial class WinogradModel;

/// <summary>Winograd's F(4×4, 3×3) where whole 4×4 tiles cover a convolution's output, beside F(2×2, 3×3) where they do
/// not: the first convolution (14×14 -> 12×12) runs its forward pass and kernel gradient by F(4×4); the second ('valid',
/// 12×12 -> 10×10, no bias) its forward pass and kernel gradient by F(2×2) but its input gradient (into 12×12, applying
/// the first's tanh derivative) by F(4×4); the third ('same', 10×10) its input gradient into the zero-bordered 12×12 by
/// F(4×4) too; a split pass shares out bands of four output rows and of two.</summary>
[Sequential(14, 14, 16)]
[Conv2D(16, 3, Activation = Activation.Tanh)]
[Conv2D(32, 3, UseBias = false, Activation = Activation.Tanh)]
[Conv2D(16, 3, Padding = Padding.Same)]
[Flatten]
[Dense(4, Activation = Activation.Softmax)]
public partial class Winograd4Model;

/// <summary>Max pooling 'same' with an overlapping 3×3 window and stride 2, then average pooling 'same' and 'valid'.</summary>
[Sequential(9, 9, 4)]
[Conv2D(6, 2, Activation = Activation.Tanh)]
[MaxPooling2D(3, Strides = 2, Padding = Padding.Same)]
[Conv2D(5, 2, Activation = Activation.Tanh)]
[AveragePooling2D(2, Padding = Padding.Same)]
[AveragePooling2D(2, 1)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class PoolingModel;

/// <summary>Max pooling 'valid' with a rectangular window, after a ReLU (finite differences keep away from its kink).</summary>
[Sequential(8, 9, 2)]
[Conv2D(7, 3, Activation = Activation.Relu)]
[MaxPooling2D(2, 3)]
[Flatten]
[Dense(6, Activation = Activation.Relu, KernelInitializer = Initializer.HeUniform)]
[Dense(3, Activation = Activation.Softmax)]
public partial class ReluPoolingModel;

/// <summary>BatchNormalization after a convolution (7 channels) and after a dense layer, non-default momentum and epsilon.</summary>
[Sequential(6, 6, 3)]
[Conv2D(7, 3, Activation = Activation.Tanh)]
[BatchNormalization(Momentum = 0.9, Epsilon = 0.01)]
[Flatten]
[Dense(18, Activation = Activation.Tanh)]
[BatchNormalization]
[Dense(3, Activation = Activation.Softmax)]
public partial class BatchNormalizationModel;

/// <summary>Dropout on flat features, between dense layers of widths that are not multiples of any vector.</summary>
[Sequential(20)]
[Dense(30, Activation = Activation.Tanh)]
[Dropout(0.3)]
[Dense(12, Activation = Activation.Sigmoid, KernelInitializer = Initializer.GlorotNormal)]
[Dropout(0.5)]
[Dense(4, Activation = Activation.Softmax)]
public partial class DropoutModel;

/// <summary>Rescaling, Normalization and Activation as layers of their own, ending in Activation(Softmax).</summary>
[Sequential(5, 5, 2)]
[Rescaling(0.5, 0.1)]
[Conv2D(3, 2)]
[Activation(Activation.Tanh)]
[Normalization(0.2, 1.5)]
[Dropout(0.2)]
[Flatten]
[Dense(6, UseBias = false)]
[Activation(Activation.Sigmoid)]
[Dense(3)]
[Activation(Activation.Softmax)]
public partial class StandaloneLayersModel;

/// <summary>A dense layer wider than any register tile (several column panels, a partial last vector).</summary>
[Sequential(40)]
[Dense(70, Activation = Activation.Tanh, KernelInitializer = Initializer.LecunUniform)]
[Dense(37, Activation = Activation.Sigmoid)]
[Dense(10, Activation = Activation.Softmax)]
public partial class WideDenseModel;

/// <summary>Rescaling and Normalization on images, then a dense layer without bias trained by rows (each thread maps
/// and multiplies its own input features for the whole batch).</summary>
[Sequential(6, 5, 2)]
[Rescaling(0.5, 0.1)]
[Normalization(0.2, 1.5)]
[Flatten]
[Dense(9, UseBias = false, Activation = Activation.Relu, KernelInitializer = Initializer.HeUniform)]
[Dense(4, Activation = Activation.Softmax)]
public partial class NormalizedDenseModel;

/// <summary>Three dense layers trained by rows in a row (each kernel ≥ NetworkPlan.RowSplitMinimumKernel): the first
/// fed by the images, the others by the one before it through a batch region; input gradients by rows with the tanh
/// and relu derivatives applied as they are written, over features that end in a partial block (90 and 70); the last
/// writes the logits.</summary>
[Sequential(40)]
[Dense(90, Activation = Activation.Tanh)]
[Dense(70, UseBias = false, Activation = Activation.Relu)]
[Dense(64, Activation = Activation.Softmax)]
public partial class DenseChainModel;

/// <summary>A convolution's output (216 features, the sigmoid derivative applied by the dense layer's input gradient)
/// gathered for a dense layer trained by rows; dropout after it.</summary>
[Sequential(7, 7, 2)]
[Conv2D(6, 2, Activation = Activation.Sigmoid)]
[Flatten]
[Dense(24, Activation = Activation.Tanh)]
[Dropout(0.4)]
[Dense(3, Activation = Activation.Softmax)]
public partial class ConvRowsModel;

/// <summary>Pooling and dropout gathered for two dense layers trained by rows, then a small dense layer trained by
/// samples.</summary>
[Sequential(9, 9, 2)]
[Conv2D(5, 3, Activation = Activation.Tanh)]
[MaxPooling2D(2)]
[Dropout(0.3)]
[Flatten]
[Dense(96, Activation = Activation.Relu)]
[Dense(48, Activation = Activation.Sigmoid)]
[Dense(3, Activation = Activation.Softmax)]
public partial class PooledDenseChainModel;

/// <summary>A pooling first (the images copied), gathered for a dense layer trained by rows that needs no input
/// gradient (nothing before it is trained).</summary>
[Sequential(10, 10, 2)]
[MaxPooling2D(2)]
[Flatten]
[Dense(90, Activation = Activation.Tanh)]
[Dense(3, Activation = Activation.Softmax)]
public partial class PooledRowsModel;

/// <summary>A dense layer trained by rows whose 20 units are a 16-float vector and 4 more: on AVX-512 its forward pass
/// and kernel gradient run in column-quad tiles (the last 4 units in blocks of 4 features × 4 units), as mnist-mlp's
/// first layer does.</summary>
[Sequential(12, 12, 1)]
[Flatten]
[Dense(20, Activation = Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class ColumnQuadsModel;

/// <summary>Column-quad tiles on 8-float vectors (28 units: 3 · 8 + 4) for a dense layer trained by rows after a
/// convolution, with an input gradient that applies the convolution's tanh derivative.</summary>
[Sequential(7, 7, 2)]
[Conv2D(5, 2, Activation = Activation.Tanh)]
[Flatten]
[Dense(28, Activation = Activation.Sigmoid)]
[Dense(3, Activation = Activation.Softmax)]
public partial class NarrowColumnQuadsModel;

/// <summary>Column-quad tiles over more input features than one block of the kernel (1,764 > 1,632 for 20 units): the
/// forward pass adds each block's partial sums to the last.</summary>
[Sequential(42, 42, 1)]
[Flatten]
[Dense(20, Activation = Activation.Tanh)]
[Dense(3, Activation = Activation.Softmax)]
public partial class BlockedColumnQuadsModel;

/// <summary>Dense layers whose one-sample products skip the kernel rows of zero inputs, over more than one chunk of
/// NonzeroInputs (600 inputs: chunks of 256, 256 and 88): 200 units (one panel of sums on AVX-512, three on AVX2), then
/// 37 (a partial vector, no bias) fed by a ReLU, so about half of their inputs are zero.</summary>
[Sequential(600)]
[Dense(200, Activation = Activation.Relu)]
[Dense(37, UseBias = false, Activation = Activation.Sigmoid)]
[Dense(10, Activation = Activation.Softmax)]
public partial class SparseInputDenseModel;

/// <summary>A Dense layer wider than <c>DenseEmitter.MaxUnrolledPanels</c> panels of sums on every instruction-set path
/// (3710 units: 8 panels of 448 and 126 more on AVX-512, 38 of 96 and 62 more on AVX2, 77 of 48 and 14 more on
/// Vector128, each rest ending in a partial vector), so its one-sample product loops over whole panels and writes out
/// the rest; fed by 300 inputs, of which the test zeroes a third, and feeding a ReLU's zeros to the next layer over 15
/// chunks.</summary>
[Sequential(300)]
[Dense(3710, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class LoopedPanelsDenseModel;
