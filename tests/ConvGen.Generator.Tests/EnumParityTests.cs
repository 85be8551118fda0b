using System.Reflection;
using ConvGen.Generator.Model;
using ConvGen.Generator.Parsing;

namespace ConvGen.Generator.Tests;

/// <summary>
/// The generator reads attribute arguments as numbers and names: its enums must have exactly the runtime's members
/// and values, and the attribute names and parameter names it looks up must exist in the runtime.
/// </summary>
public class EnumParityTests
{
    private static (string Name, int Value)[] Members(Type type, params string[] ignored) =>
        [.. Enum.GetNames(type).Except(ignored).Select(name => (name, Convert.ToInt32(Enum.Parse(type, name), System.Globalization.CultureInfo.InvariantCulture))).OrderBy(m => m.Item2).ThenBy(m => m.name, StringComparer.Ordinal)];

    [Fact]
    public void ActivationKindMatchesActivation()
    {
        Assert.Equal(Members(typeof(Activation)), Members(typeof(ActivationKind)));
    }

    [Fact]
    public void PaddingKindMatchesPadding()
    {
        Assert.Equal(Members(typeof(Padding)), Members(typeof(PaddingKind)));
    }

    [Fact]
    public void InitializerKindMatchesInitializerExceptItsAliases()
    {
        Assert.Equal(Members(typeof(Initializer), nameof(Initializer.Normal), nameof(Initializer.Uniform)), Members(typeof(InitializerKind)));

        // The aliases are Keras' string names for two members the generator knows.
        Assert.Equal(Initializer.RandomNormal, Initializer.Normal);
        Assert.Equal(Initializer.RandomUniform, Initializer.Uniform);
    }

    [Fact]
    public void AttributeNamesAreTheRuntimesAttributes()
    {
        Assert.Equal(AttributeNames.Sequential, typeof(SequentialAttribute).FullName);
        Type[] layerAttributes = [.. typeof(LayerAttribute).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract)];
        Assert.Equal(
            layerAttributes.Select(t => t.FullName!).Order(StringComparer.Ordinal),
            AttributeNames.Layers.Order(StringComparer.Ordinal));
    }

    /// <summary>The constructor parameters the parser reads by name, per attribute (a renamed parameter would silently read 0).</summary>
    public static TheoryData<Type, string[]> ConstructorParameters() => new()
    {
        { typeof(SequentialAttribute), ["height", "width", "channels", "features"] },
        { typeof(Conv2DAttribute), ["filters", "kernelSize", "kernelHeight", "kernelWidth"] },
        { typeof(MaxPooling2DAttribute), ["poolSize", "poolHeight", "poolWidth"] },
        { typeof(AveragePooling2DAttribute), ["poolSize", "poolHeight", "poolWidth"] },
        { typeof(DenseAttribute), ["units"] },
        { typeof(ActivationAttribute), ["activation"] },
        { typeof(DropoutAttribute), ["rate"] },
        { typeof(RescalingAttribute), ["scale", "offset"] },
        { typeof(NormalizationAttribute), ["mean", "std"] },
    };

    [Theory]
    [MemberData(nameof(ConstructorParameters))]
    public void ConstructorParametersTheParserReadsExist(Type attribute, string[] parameters)
    {
        string[] declared = [.. attribute.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.Name!).Distinct()];
        Assert.Equal(parameters.Order(StringComparer.Ordinal), declared.Order(StringComparer.Ordinal));
    }

    /// <summary>The named arguments the parser reads, per attribute, with the type it reads them as.</summary>
    public static TheoryData<Type, string, Type> NamedArguments() => new()
    {
        { typeof(SequentialAttribute), "Name", typeof(string) },
        { typeof(Conv2DAttribute), "Strides", typeof(int) },
        { typeof(Conv2DAttribute), "Padding", typeof(Padding) },
        { typeof(Conv2DAttribute), "Activation", typeof(Activation) },
        { typeof(Conv2DAttribute), "UseBias", typeof(bool) },
        { typeof(Conv2DAttribute), "KernelInitializer", typeof(Initializer) },
        { typeof(MaxPooling2DAttribute), "Strides", typeof(int) },
        { typeof(MaxPooling2DAttribute), "Padding", typeof(Padding) },
        { typeof(AveragePooling2DAttribute), "Strides", typeof(int) },
        { typeof(AveragePooling2DAttribute), "Padding", typeof(Padding) },
        { typeof(DenseAttribute), "Activation", typeof(Activation) },
        { typeof(DenseAttribute), "UseBias", typeof(bool) },
        { typeof(DenseAttribute), "KernelInitializer", typeof(Initializer) },
        { typeof(BatchNormalizationAttribute), "Momentum", typeof(double) },
        { typeof(BatchNormalizationAttribute), "Epsilon", typeof(double) },
        { typeof(FlattenAttribute), "Name", typeof(string) },
    };

    [Theory]
    [MemberData(nameof(NamedArguments))]
    public void NamedArgumentsTheParserReadsAreSettableProperties(Type attribute, string name, Type type)
    {
        PropertyInfo? property = attribute.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        Assert.NotNull(property);
        Assert.Equal(type, property.PropertyType);
        Assert.True(property.SetMethod is { IsPublic: true }, $"{attribute.Name}.{name} is not publicly settable");
    }

    /// <summary>The defaults the parser assumes when a named argument is absent are the attributes' own.</summary>
    [Fact]
    public void ParserDefaultsAreTheAttributesDefaults()
    {
        var conv = new Conv2DAttribute(1, 1);
        Assert.Equal((1, Padding.Valid, Activation.Linear, true, Initializer.GlorotUniform), (conv.Strides, conv.Padding, conv.Activation, conv.UseBias, conv.KernelInitializer));
        var pool = new MaxPooling2DAttribute(2);
        Assert.Equal((0, Padding.Valid), (pool.Strides, pool.Padding));
        var dense = new DenseAttribute(1);
        Assert.Equal((Activation.Linear, true, Initializer.GlorotUniform), (dense.Activation, dense.UseBias, dense.KernelInitializer));
        var norm = new BatchNormalizationAttribute();
        Assert.Equal((0.99, 1e-3), (norm.Momentum, norm.Epsilon));
        Assert.Equal(0.0, new RescalingAttribute(2).Offset);
    }
}
