namespace ConvGen.Tests.Concurrency;

/// <summary>A small dense network (2,400 multiply-adds a sample): the engine never shares one image between threads,
/// so concurrent single images run side by side, each on its caller's thread.</summary>
[Sequential(64)]
[Dense(32, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class SmallServingModel;

/// <summary>A convolutional network of 2.8 M multiply-adds a sample, with batch normalisation and a Winograd
/// convolution: on two threads a single image is always shared layer by layer (the split pass, which keeps the
/// transformed kernel between calls), so concurrent callers take turns with the engine's threads.</summary>
[Sequential(28, 28, 1)]
[Conv2D(16, 3, Activation = Activation.Relu)]
[BatchNormalization]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class SharedServingModel;
