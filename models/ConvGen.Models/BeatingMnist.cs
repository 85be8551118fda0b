namespace ConvGen.Models;

// The networks of "Beating MNIST" (Cristian Lungu). The notebook standardises 0–255 pixels with
// Lambda((x - 33.32) / 78.57); ConvGen's MNIST loads 0–1 pixels (the labs' /= 255), so the same standardisation is
// Normalization(33.32 / 255, 78.57 / 255). Its input_shape=(1, 28, 28) is Theano's channels-first; ConvGen is
// channels-last, which changes no parameter count. Keras 1 defaults: Adam, batch size 32.

/// <summary>Model 2: Normalization, Flatten, Dense 10 softmax. 7,850 parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingLinear;

/// <summary>Model 3: one hidden layer, Dense 100 sigmoid. 79,510 parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Flatten]
[Dense(100, Activation = Activation.Sigmoid)]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingHidden;

/// <summary>Model 4: three Dense 200 relu. 239,410 parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Flatten]
[Dense(200, Activation = Activation.Relu)]
[Dense(200, Activation = Activation.Relu)]
[Dense(200, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingDense;

/// <summary>Model 5: three Conv2D 7@3×3 'same' relu, Flatten, Dense 10. 55,856 parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingConv;

/// <summary>Model 6: convolutions 7-14-28-28 'same', each of the first three followed by MaxPooling2D 2. 14,136 parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingConvPool;

/// <summary>Model 7, VGG style: blocks 7,7 / 14,14 / 28,28,28 / 56,56,56 of 'same' 3×3 convolutions, each block ending in
/// MaxPooling2D 2, then Dense 100 sigmoid and Dense 10. 98,354 parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Flatten]
[Dense(100, Activation = Activation.Sigmoid)]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingVgg;

/// <summary>Model 8: the VGG-style network with BatchNormalization after each pool. 98,564 trainable parameters (what the
/// notebook's Keras printed) and 210 non-trainable moving statistics: 98,774 in all.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Flatten]
[Dense(100, Activation = Activation.Sigmoid)]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingVggBatchNorm;

/// <summary>Models 9–11: the same with Dropout 0.1–0.4 after each normalisation and 0.5 before the output, the network
/// of the notebook's 99.39 % run. 98,564 trainable, 210 non-trainable parameters.</summary>
[Sequential(28, 28, 1)]
[Normalization(33.32 / 255, 78.57 / 255)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(7, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Dropout(0.1)]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(14, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Dropout(0.2)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(28, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Dropout(0.3)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[Conv2D(56, 3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[MaxPooling2D(2)]
[BatchNormalization]
[Dropout(0.4)]
[Flatten]
[Dense(100, Activation = Activation.Sigmoid)]
[Dropout(0.5)]
[Dense(10, Activation = Activation.Softmax)]
public partial class BeatingVggDropout;
