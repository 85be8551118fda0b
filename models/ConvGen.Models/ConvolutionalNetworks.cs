namespace ConvGen.Models;

// The networks of the "Convolutional Neural Networks" labs (Databricks notebooks and the General Assembly lesson),
// written as those notebooks write them: separate Activation layers where they use model.add(Activation(...)).

/// <summary>The lab's baseline perceptron: Dense 784-20-15-10, relu, Keras' 'normal' initialiser, softmax. 16,175 parameters.</summary>
[Sequential(784)]
[Dense(20, KernelInitializer = Initializer.RandomNormal, Activation = Activation.Relu)]
[Dense(15, KernelInitializer = Initializer.RandomNormal, Activation = Activation.Relu)]
[Dense(10, KernelInitializer = Initializer.RandomNormal, Activation = Activation.Softmax)]
public partial class MnistMlp;

/// <summary>The first ConvNet: Conv2D 8@4×4 valid, relu, MaxPooling2D 2, Flatten, Dense 128 relu, Dense 10 softmax. 149,010 parameters.</summary>
[Sequential(28, 28, 1)]
[Conv2D(8, 4, 4, Padding = Padding.Valid)]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Flatten]
[Dense(128)]
[Activation(Activation.Relu)]
[Dense(10)]
[Activation(Activation.Softmax)]
public partial class MnistConv8;

/// <summary>The same with a second Conv2D 8@4×4. 126,490 parameters.</summary>
[Sequential(28, 28, 1)]
[Conv2D(8, 4, 4, Padding = Padding.Valid)]
[Activation(Activation.Relu)]
[Conv2D(8, 4, 4)]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Flatten]
[Dense(128)]
[Activation(Activation.Relu)]
[Dense(10)]
[Activation(Activation.Softmax)]
public partial class MnistConv8x2;

/// <summary>
/// The lab's 99.1 % network: Conv2D 32@3×3, Conv2D 32@3×3, MaxPooling2D 2, Dropout 0.25, Flatten, Dense 128, Dropout 0.5,
/// Dense 10 softmax. 600,810 parameters.
/// </summary>
[Sequential(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[Conv2D(32, 3, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Dropout(0.25)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dropout(0.5)]
[Dense(10, Activation = Activation.Softmax)]
public partial class MnistCnn;

/// <summary>The General Assembly lesson's LeNet-like network: Conv2D 6@3×3, pool, Conv2D 16@3×3, pool, Dropout 0.25, Flatten,
/// Dense 128, Dropout 0.5, Dense 10. 53,558 parameters.</summary>
[Sequential(28, 28, 1)]
[Conv2D(6, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(16, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Dropout(0.25)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dropout(0.5)]
[Dense(10, Activation = Activation.Softmax)]
public partial class MnistLeNet;
