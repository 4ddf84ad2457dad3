using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// The element types Scouter.Core reads and writes, with their names in each format: PyTorch's typed-storage
/// class (<c>torch.FloatStorage</c>, in torch.save pickles) and the safetensors dtype code.
/// </summary>
internal static class TensorDtypes
{
    public sealed record Info(ScalarType Type, int Size, string StorageName, string SafeTensorsName);

    private static readonly Info[] All =
    [
        new(ScalarType.Float32, 4, "FloatStorage", "F32"),
        new(ScalarType.Float64, 8, "DoubleStorage", "F64"),
        new(ScalarType.Float16, 2, "HalfStorage", "F16"),
        new(ScalarType.BFloat16, 2, "BFloat16Storage", "BF16"),
        new(ScalarType.Int64, 8, "LongStorage", "I64"),
        new(ScalarType.Int32, 4, "IntStorage", "I32"),
        new(ScalarType.Int16, 2, "ShortStorage", "I16"),
        new(ScalarType.Int8, 1, "CharStorage", "I8"),
        new(ScalarType.Byte, 1, "ByteStorage", "U8"),
        new(ScalarType.Bool, 1, "BoolStorage", "BOOL"),
    ];

    public static string Supported => string.Join(", ", All.Select(i => i.Type));

    public static Info Of(ScalarType type) =>
        All.FirstOrDefault(i => i.Type == type)
        ?? throw new NotSupportedException($"Tensors of dtype {type} cannot be stored; supported dtypes: {Supported}.");

    /// <summary>The dtype of a <c>torch.*Storage</c> class name; <c>UntypedStorage</c> holds raw bytes.</summary>
    public static Info? FromStorageName(string name) =>
        name == "UntypedStorage" ? Of(ScalarType.Byte) : All.FirstOrDefault(i => i.StorageName == name);

    public static Info? FromSafeTensorsName(string name) => All.FirstOrDefault(i => i.SafeTensorsName == name);
}
