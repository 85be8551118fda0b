using System.Globalization;
using System.Text;

namespace ConvGen.Train.Commands;

/// <summary>Reads a greyscale Netpbm image (PGM: binary P5 or plain P2, 8 or 16 bits) into floats from 0 to 1, the way
/// MNIST's pixels reach a model.</summary>
internal static class PgmImage
{
    /// <summary>The pixels of <paramref name="path"/>, which must be <paramref name="shape"/>'s size with one channel;
    /// <see cref="InvalidDataException"/> naming the file and the problem otherwise.</summary>
    public static float[] Read(string path, Shape shape)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--image '{path}': {e.Message}");
        }

        int position = 0;
        string magic = Token(bytes, ref position, path);
        if (magic is not ("P5" or "P2"))
        {
            throw Bad(path, $"not a PGM image (it starts with '{Printable(magic)}', a PGM with 'P5' or 'P2')");
        }

        int width = Number(bytes, ref position, path, "width");
        int height = Number(bytes, ref position, path, "height");
        int maximum = Number(bytes, ref position, path, "maximum value");
        if (width < 1 || height < 1 || maximum is < 1 or > 65535)
        {
            throw Bad(path, Invariant($"a {width}x{height} image with maximum value {maximum} is not a valid PGM"));
        }

        // An image network takes its own height and width in one channel; a flat one (Dense first) any image of as many pixels.
        bool fits = shape.IsFlat ? width * height == shape.Size : shape.Channels == 1 && width == shape.Width && height == shape.Height;
        if (!fits)
        {
            string takes = shape.IsFlat ? Invariant($"{shape.Size} pixels") : Invariant($"{shape.Width}x{shape.Height} with {shape.Channels} channel(s)");
            throw Bad(path, Invariant($"the image is {width}x{height} greyscale; the network takes {takes}"));
        }

        var pixels = new float[width * height];
        if (magic == "P2")
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = Pixel(Number(bytes, ref position, path, "pixel"), maximum, path);
            }

            return pixels;
        }

        // One whitespace byte ends the header of a binary PGM; then one byte per pixel, or two (big-endian) above 255.
        position++;
        int bytesPerPixel = maximum > 255 ? 2 : 1;
        if (bytes.Length - position < pixels.Length * bytesPerPixel)
        {
            throw Bad(path, Invariant($"{pixels.Length} pixels of {bytesPerPixel} byte(s) expected, {Math.Max(0, bytes.Length - position)} bytes found"));
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            int value = bytesPerPixel == 1 ? bytes[position + i] : (bytes[position + (2 * i)] << 8) | bytes[position + (2 * i) + 1];
            pixels[i] = Pixel(value, maximum, path);
        }

        return pixels;
    }

    private static float Pixel(int value, int maximum, string path) =>
        value <= maximum ? (float)value / maximum : throw Bad(path, Invariant($"a pixel of {value} exceeds the maximum value {maximum}"));

    private static int Number(byte[] bytes, ref int position, string path, string what)
    {
        string token = Token(bytes, ref position, path);
        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Bad(path, $"the {what} '{Printable(token)}' is not a whole number");
    }

    // The next whitespace-separated token of the header, skipping '#' comments to the end of their line.
    private static string Token(byte[] bytes, ref int position, string path)
    {
        while (position < bytes.Length && (char.IsWhiteSpace((char)bytes[position]) || bytes[position] == '#'))
        {
            if (bytes[position] == '#')
            {
                while (position < bytes.Length && bytes[position] != '\n')
                {
                    position++;
                }
            }
            else
            {
                position++;
            }
        }

        int start = position;
        while (position < bytes.Length && !char.IsWhiteSpace((char)bytes[position]) && position - start < 32)
        {
            position++;
        }

        return position > start ? Encoding.ASCII.GetString(bytes, start, position - start) : throw Bad(path, "the file ends too early");
    }

    private static string Printable(string text) => new(text.Select(c => c is >= ' ' and < (char)127 ? c : '?').ToArray());

    private static InvalidDataException Bad(string path, string problem) => new($"'{path}': {problem}.");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
