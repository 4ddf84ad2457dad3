// Writes pickles of protocol 2, the protocol torch.save uses, with the opcodes CPython's pickler emits for the
// same values (documented in CPython's Lib/pickletools.py), so every Python that reads torch.save files reads these.
using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace Scouter.Core.Interop.Pickle;

/// <summary>
/// Serialises .NET values as Python values (the inverse of <see cref="PickleReader"/>'s mapping). Other .NET
/// dictionaries become <c>dict</c>, other lists and arrays <c>list</c>. Tensors are written by the caller's
/// <c>writeTensor</c> callback, which torch.save's format needs (a persistent storage id).
/// </summary>
internal sealed class PickleWriter
{
    private readonly Stream output;
    private readonly Action<PickleWriter, Tensor> writeTensor;

    public PickleWriter(Stream output, Action<PickleWriter, Tensor> writeTensor)
    {
        this.output = output;
        this.writeTensor = writeTensor;
    }

    /// <summary>Writes a whole pickle: the protocol header, the value and STOP.</summary>
    public void WritePickle(object? root)
    {
        Opcode(0x80); // PROTO
        output.WriteByte(2);
        Write(root);
        Opcode((byte)'.');
    }

    public void Write(object? value)
    {
        switch (value)
        {
            case null: Opcode((byte)'N'); break;
            case bool b: Opcode(b ? (byte)0x88 : (byte)0x89); break;
            case sbyte or byte or short or ushort or int or uint or long: WriteInt(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ulong u: WriteInt(new BigInteger(u)); break;
            case BigInteger big: WriteInt(big); break;
            case float f: WriteFloat(f); break;
            case double d: WriteFloat(d); break;
            case string s: WriteString(s); break;
            case byte[] bytes:
                // Protocol 2 has no bytes opcode; CPython writes _codecs.encode(latin-1 text, "latin1").
                WriteGlobal("_codecs", "encode");
                WriteString(Encoding.Latin1.GetString(bytes));
                WriteString("latin1");
                Opcode(0x86); // TUPLE2
                Opcode((byte)'R');
                break;
            case Tensor tensor: writeTensor(this, tensor); break;
            case object?[] tuple: WriteTuple(tuple); break;
            case PersistentId persistent:
                WriteTuple(persistent.Id);
                Opcode((byte)'Q'); // BINPERSID
                break;
            case PickleGlobal global: WriteGlobal(global.Module, global.Name); break;
            case PickleObject obj:
                WriteGlobal(obj.Type.Module, obj.Type.Name);
                WriteTuple(obj.Args.ToArray());
                Opcode(obj.IsNewObject ? (byte)0x81 : (byte)'R'); // NEWOBJ or REDUCE
                if (obj.State is not null)
                {
                    Write(obj.State);
                    Opcode((byte)'b'); // BUILD
                }

                break;
            case PickleDict dict: WriteDict(dict.IsOrdered, dict.Select(e => (e.Key, e.Value))); break;
            case IDictionary dictionary: WriteDict(false, dictionary.Cast<DictionaryEntry>().Select(e => (e.Key, e.Value))); break;
            // A state dict (Interop's StateDict, or any other read-only name → tensor map in its own order) is an
            // OrderedDict, as torch.save writes a module's state_dict().
            case IReadOnlyDictionary<string, Tensor> stateDict: WriteDict(true, stateDict.Select(e => ((object)e.Key, (object?)e.Value))); break;
            case HashSet<object?> set:
                WriteGlobal("builtins", "set");
                WriteList(set);
                Opcode(0x85); // TUPLE1
                Opcode((byte)'R');
                break;
            case IEnumerable sequence: WriteList(sequence.Cast<object?>()); break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} cannot be pickled; use null, bool, integers, double, string, byte[], Tensor, object?[] (tuple), lists, dictionaries, PickleDict, PickleGlobal or PickleObject.");
        }
    }

    public void WriteGlobal(string module, string name)
    {
        Opcode((byte)'c');
        var text = Encoding.UTF8.GetBytes($"{module}\n{name}\n");
        output.Write(text);
    }

    public void WriteTuple(IReadOnlyList<object?> items)
    {
        switch (items.Count)
        {
            case 0:
                Opcode((byte)')');
                return;
            case <= 3:
                foreach (var item in items)
                {
                    Write(item);
                }

                Opcode((byte)(0x85 + items.Count - 1)); // TUPLE1, TUPLE2, TUPLE3
                return;
            default:
                Opcode((byte)'(');
                foreach (var item in items)
                {
                    Write(item);
                }

                Opcode((byte)'t');
                return;
        }
    }

    /// <summary>Writes REDUCE: the callable and its argument tuple must be on the stack.</summary>
    public void Reduce() => Opcode((byte)'R');

    private void WriteDict(bool ordered, IEnumerable<(object Key, object? Value)> entries)
    {
        if (ordered)
        {
            WriteGlobal("collections", "OrderedDict");
            Opcode((byte)')');
            Opcode((byte)'R');
        }
        else
        {
            Opcode((byte)'}');
        }

        var open = false;
        foreach (var (key, value) in entries)
        {
            if (!open)
            {
                Opcode((byte)'(');
                open = true;
            }

            Write(key);
            Write(value);
        }

        if (open)
        {
            Opcode((byte)'u'); // SETITEMS
        }
    }

    private void WriteList(IEnumerable<object?> items)
    {
        Opcode((byte)']');
        var open = false;
        foreach (var item in items)
        {
            if (!open)
            {
                Opcode((byte)'(');
                open = true;
            }

            Write(item);
        }

        if (open)
        {
            Opcode((byte)'e'); // APPENDS
        }
    }

    private void WriteInt(BigInteger value)
    {
        if (value >= 0 && value <= byte.MaxValue)
        {
            Opcode((byte)'K');
            output.WriteByte((byte)value);
        }
        else if (value >= 0 && value <= ushort.MaxValue)
        {
            Opcode((byte)'M');
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value);
            output.Write(buffer);
        }
        else if (value >= int.MinValue && value <= int.MaxValue)
        {
            Opcode((byte)'J');
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)value);
            output.Write(buffer);
        }
        else
        {
            var bytes = value.ToByteArray(isUnsigned: false, isBigEndian: false); // minimal two's complement
            Opcode(0x8a); // LONG1
            output.WriteByte((byte)bytes.Length);
            output.Write(bytes);
        }
    }

    private void WriteFloat(double value)
    {
        Opcode((byte)'G');
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(buffer, value);
        output.Write(buffer);
    }

    private void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Opcode((byte)'X');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
        output.Write(length);
        output.Write(bytes);
    }

    private void Opcode(byte opcode) => output.WriteByte(opcode);
}
