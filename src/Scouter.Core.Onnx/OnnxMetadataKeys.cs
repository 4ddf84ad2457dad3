namespace Scouter.Core.Onnx;

/// <summary>
/// Keys of the <c>metadata_props</c> an exported model carries, so that a consumer without Scouter.Core can
/// preprocess images and label the outputs. Every value is a string.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>Input height <c>H</c> in pixels.</summary>
    public const string InputHeight = "scouter.input_height";

    /// <summary>Input width <c>W</c> in pixels.</summary>
    public const string InputWidth = "scouter.input_width";

    /// <summary>Input channels (3 for RGB, 1 for greyscale).</summary>
    public const string InputChannels = "scouter.input_channels";

    /// <summary>How an image is resized to <c>H × W</c> (bilinear with antialiasing, as PIL's <c>resize(BILINEAR)</c>; no crop).</summary>
    public const string Resize = "scouter.resize";

    /// <summary>Channel order of the input (<c>RGB</c> or <c>L</c>).</summary>
    public const string ChannelOrder = "scouter.channel_order";

    /// <summary>What 8-bit pixels are divided by before normalisation (<c>255</c>).</summary>
    public const string PixelDivisor = "scouter.pixel_divisor";

    /// <summary>Per-channel means subtracted after scaling, comma-separated, invariant culture.</summary>
    public const string Mean = "scouter.mean";

    /// <summary>Per-channel standard deviations divided by after subtracting the mean, comma-separated.</summary>
    public const string Std = "scouter.std";

    /// <summary>Class names as a JSON array of strings, when known.</summary>
    public const string ClassNames = "scouter.class_names";

    /// <summary>The head: <c>xslot</c> or <c>fc</c>.</summary>
    public const string Head = "scouter.head";

    /// <summary>SCOUTER polarity of an xSlot head: <c>positive</c> (maps say why a class) or <c>negative</c> (why not).</summary>
    public const string Polarity = "scouter.polarity";

    /// <summary>Feature-map size <c>h×w</c> of the class maps.</summary>
    public const string FeatureMap = "scouter.feature_map";

    /// <summary>The backbone's name, when given.</summary>
    public const string Backbone = "scouter.backbone";
}
