using System.Reflection;

namespace ConvGen.Persistence;

/// <summary>Who wrote a file: ConvGen and its version, as the safetensors metadata, the ONNX model's producer fields
/// and the training report record them.</summary>
internal static class Producer
{
    /// <summary>The product's name.</summary>
    public const string Name = "ConvGen";

    /// <summary>The runtime's informational version (the package version, with the source revision when the build
    /// knew it: <c>1.0.0+f1f9377…</c>).</summary>
    public static string Version { get; } =
        typeof(Producer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Producer).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
