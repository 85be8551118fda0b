namespace ConvGen.Generator.Parsing;

/// <summary>Metadata names of the runtime's attributes, which the generator recognises.</summary>
internal static class AttributeNames
{
    public const string Sequential = "ConvGen.SequentialAttribute";
    public const string Conv2D = "ConvGen.Conv2DAttribute";
    public const string MaxPooling2D = "ConvGen.MaxPooling2DAttribute";
    public const string AveragePooling2D = "ConvGen.AveragePooling2DAttribute";
    public const string Flatten = "ConvGen.FlattenAttribute";
    public const string Dense = "ConvGen.DenseAttribute";
    public const string Activation = "ConvGen.ActivationAttribute";
    public const string Dropout = "ConvGen.DropoutAttribute";
    public const string BatchNormalization = "ConvGen.BatchNormalizationAttribute";
    public const string Rescaling = "ConvGen.RescalingAttribute";
    public const string Normalization = "ConvGen.NormalizationAttribute";

    /// <summary>Every layer attribute, in no particular order.</summary>
    public static readonly string[] Layers =
    [
        Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Activation, Dropout, BatchNormalization, Rescaling, Normalization,
    ];
}
