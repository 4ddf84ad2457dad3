// A safe interpreter for the subset of Python's pickle protocols 2-5 that torch.save and plain Python
// containers produce (opcodes as documented in CPython's Lib/pickletools.py). It builds .NET values and inert
// records; it never imports or calls anything a file names.
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Scouter.Core.Interop.Pickle;

/// <summary>
/// Reads one pickle. Python values become: None → null, bool, int → <see cref="long"/> (or <see cref="BigInteger"/>
/// when larger), float → <see cref="double"/>, str → <see cref="string"/>, bytes → <c>byte[]</c>, tuple →
/// <c>object?[]</c>, list → <c>List&lt;object?&gt;</c>, dict / OrderedDict → <see cref="PickleDict"/>, set →
/// <c>HashSet&lt;object?&gt;</c>, a global → <see cref="PickleGlobal"/>, any other object → <see cref="PickleObject"/>.
/// </summary>
internal sealed class PickleReader
{
    /// <summary>Builds a value for a call the pickle asks for, or returns false to keep the call as an inert <see cref="PickleObject"/>.</summary>
    public delegate bool CallHandler(PickleGlobal callable, object?[] args, out object? result);

    private readonly byte[] data;
    private readonly Func<object?, object?> persistentLoad;
    private readonly CallHandler? callHandler;
    private readonly List<object?> stack = [];
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = [];
    private int position;

    public PickleReader(byte[] data, Func<object?, object?> persistentLoad, CallHandler? callHandler = null)
    {
        this.data = data;
        this.persistentLoad = persistentLoad;
        this.callHandler = callHandler;
    }

    /// <summary>Runs the pickle to its STOP opcode and returns the object it built.</summary>
    /// <exception cref="FormatException">The pickle is truncated, malformed, or uses an opcode outside the supported subset.</exception>
    public object? Load()
    {
        while (true)
        {
            if (position >= data.Length)
            {
                throw new FormatException($"the pickle ends after {data.Length} bytes without its STOP opcode (truncated?).");
            }

            var at = position;
            var opcode = data[position++];
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5)
                    {
                        throw new FormatException($"pickle protocol {protocol} is not supported (protocols 2 to 5 are).");
                    }

                    break;
                case 0x95: // FRAME: a length prefix only; the data is contiguous anyway
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    var result = Pop();
                    if (stack.Count != 0)
                    {
                        throw new FormatException($"the pickle stopped with {stack.Count} values left on its stack.");
                    }

                    return result;
                case (byte)'(': // MARK
                    marks.Push(stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;

                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case 0x8a: Push(Long(Take(ReadByte()))); break; // LONG1
                case 0x8b: Push(Long(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))))); break; // LONG4
                case (byte)'I': Push(TextInt(ReadLine())); break; // INT
                case (byte)'L': Push(Normalise(BigInteger.Parse(ReadLine().TrimEnd('L'), CultureInfo.InvariantCulture))); break; // LONG
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'F': Push(double.Parse(ReadLine(), CultureInfo.InvariantCulture)); break; // FLOAT

                case (byte)'X': Push(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break; // BINUNICODE
                case 0x8c: Push(Encoding.UTF8.GetString(Take(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))))); break; // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break; // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray());
                    break;

                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'a': { var item = Pop(); AsList(Peek(), "APPEND").Add(item); break; } // APPEND
                case (byte)'e': { var items = PopMark(); AsList(Peek(), "APPENDS").AddRange(items); break; } // APPENDS
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': Push(ToDict(PopMark(), new PickleDict())); break; // DICT
                case (byte)'s': { var value = Pop(); var key = Pop(); AsDict(Peek(), "SETITEM")[Key(key)] = value; break; } // SETITEM
                case (byte)'u': { var items = PopMark(); ToDict(items, AsDict(Peek(), "SETITEMS")); break; } // SETITEMS
                case 0x8f: Push(new HashSet<object?>(PickleKeyComparer.Instance)); break; // EMPTY_SET
                case 0x90: { var items = PopMark(); AsSet(Peek()).UnionWith(items); break; } // ADDITEMS
                case 0x91: Push(new HashSet<object?>(PopMark(), PickleKeyComparer.Instance)); break; // FROZENSET

                case (byte)'p': memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Peek(); break; // PUT
                case (byte)'q': memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'g': Push(Memo(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break; // GET
                case (byte)'h': Push(Memo(ReadByte())); break; // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET

                case (byte)'c': // GLOBAL
                    var module = ReadLine();
                    Push(new PickleGlobal(module, ReadLine()));
                    break;
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw new FormatException("STACK_GLOBAL expects a str name.");
                    var owner = Pop() as string ?? throw new FormatException("STACK_GLOBAL expects a str module.");
                    Push(new PickleGlobal(owner, name));
                    break;
                }

                case (byte)'R': // REDUCE
                {
                    var args = Pop() as object?[] ?? throw new FormatException("REDUCE expects an argument tuple.");
                    Push(Call(AsGlobal(Pop(), "REDUCE"), args));
                    break;
                }

                case 0x81: // NEWOBJ
                {
                    var args = Pop() as object?[] ?? throw new FormatException("NEWOBJ expects an argument tuple.");
                    Push(new PickleObject(AsGlobal(Pop(), "NEWOBJ"), args, null, IsNewObject: true));
                    break;
                }

                case 0x92: // NEWOBJ_EX
                {
                    var kwargs = Pop();
                    var args = Pop() as object?[] ?? throw new FormatException("NEWOBJ_EX expects an argument tuple.");
                    if (kwargs is PickleDict { Count: > 0 })
                    {
                        throw new FormatException("NEWOBJ_EX with keyword arguments is not supported.");
                    }

                    Push(new PickleObject(AsGlobal(Pop(), "NEWOBJ_EX"), args, null, IsNewObject: true));
                    break;
                }

                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    Build(Peek(), state);
                    break;
                }

                case (byte)'Q': Push(persistentLoad(Pop())); break; // BINPERSID
                case (byte)'P': Push(persistentLoad(ReadLine())); break; // PERSID

                default:
                    throw new FormatException($"pickle opcode 0x{opcode:x2} at byte {at} is not supported (Scouter.Core reads the pickles torch.save writes: protocols 2 to 5, without extension registries or out-of-band buffers).");
            }
        }
    }

    private object? Call(PickleGlobal callable, object?[] args)
    {
        switch (callable.FullName)
        {
            case "collections.OrderedDict":
                var ordered = new PickleDict(isOrdered: true);
                if (args.Length == 1 && args[0] is List<object?> pairs)
                {
                    foreach (var pair in pairs)
                    {
                        var kv = pair as object?[] ?? (pair as List<object?>)?.ToArray();
                        if (kv is not { Length: 2 })
                        {
                            throw new FormatException("OrderedDict expects (key, value) pairs.");
                        }

                        ordered[Key(kv[0])] = kv[1];
                    }
                }

                return ordered;
            case "builtins.set" or "__builtin__.set" or "builtins.frozenset" or "__builtin__.frozenset":
                return new HashSet<object?>(args.Length == 1 && args[0] is IEnumerable<object?> items ? items : [], PickleKeyComparer.Instance);
            case "_codecs.encode" when args is [string text, "latin1" or "latin-1"]:
                // How protocol 2 pickles bytes: the bytes decoded as latin-1, re-encoded on load.
                return Encoding.Latin1.GetBytes(text);
        }

        if (callHandler is not null && callHandler(callable, args, out var handled))
        {
            return handled;
        }

        return new PickleObject(callable, args, null, IsNewObject: false);
    }

    private static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject obj:
                obj.State = state;
                break;
            case PickleDict or TorchSharp.torch.Tensor:
                // An OrderedDict's attributes (a state dict's "_metadata" versions) and a tensor's Python attributes
                // carry nothing Scouter.Core uses.
                break;
            default:
                throw new FormatException($"BUILD on a {PickleValues.Describe(target)} is not supported.");
        }
    }

    private static PickleDict ToDict(List<object?> items, PickleDict dict)
    {
        if (items.Count % 2 != 0)
        {
            throw new FormatException("a dictionary opcode found an odd number of keys and values.");
        }

        for (var i = 0; i < items.Count; i += 2)
        {
            dict[Key(items[i])] = items[i + 1];
        }

        return dict;
    }

    private static object Key(object? key) =>
        key ?? throw new FormatException("a dictionary key is None, which Scouter.Core does not support (state dicts and checkpoints use str and int keys).");

    private static List<object?> AsList(object? target, string opcode) =>
        target as List<object?> ?? throw new FormatException($"{opcode} expects a list; found {PickleValues.Describe(target)}.");

    private static PickleDict AsDict(object? target, string opcode) =>
        target as PickleDict ?? throw new FormatException($"{opcode} expects a dict; found {PickleValues.Describe(target)}.");

    private static HashSet<object?> AsSet(object? target) =>
        target as HashSet<object?> ?? throw new FormatException($"ADDITEMS expects a set; found {PickleValues.Describe(target)}.");

    private static PickleGlobal AsGlobal(object? target, string opcode) =>
        target as PickleGlobal ?? throw new FormatException($"{opcode} expects a class or function named by GLOBAL; found {PickleValues.Describe(target)}.");

    private static object Long(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 0 ? 0L : Normalise(new BigInteger(bytes, isUnsigned: false, isBigEndian: false));

    private static object Normalise(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? (long)value : value;

    private static object TextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => Normalise(BigInteger.Parse(text, CultureInfo.InvariantCulture)),
    };

    private object? Memo(long key) =>
        memo.TryGetValue(key, out var value) ? value : throw new FormatException($"the pickle reads memo entry {key}, which was never stored.");

    private void Push(object? value) => stack.Add(value);

    private object? Peek() =>
        stack.Count > (marks.Count > 0 ? marks.Peek() : 0) ? stack[^1] : throw new FormatException("the pickle reads from an empty stack.");

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (marks.Count == 0)
        {
            throw new FormatException("the pickle closes a MARK it never opened.");
        }

        var start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > data.Length - position)
        {
            throw new FormatException($"the pickle is truncated: {count} bytes needed at byte {position} of {data.Length}.");
        }

        var span = data.AsSpan(position, count);
        position += count;
        return span;
    }

    private static int Length(ulong length) =>
        length <= int.MaxValue ? (int)length : throw new FormatException($"a pickled value of {length} bytes is too large.");

    private static int Length(long length) =>
        length is >= 0 and <= int.MaxValue ? (int)length : throw new FormatException($"a pickled value of {length} bytes is invalid or too large.");

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', position);
        if (end < 0)
        {
            throw new FormatException($"the pickle is truncated: a line starting at byte {position} has no end.");
        }

        var line = Encoding.UTF8.GetString(data, position, end - position);
        position = end + 1;
        return line;
    }
}
