// The attribute .NET 9 added and C# 13 compilers honour; declared here for the net8.0 build, where the runtime lacks
// it. BackboneRegistry uses it so that a lambda ignoring its parameter still picks one Register overload.
#if !NET9_0_OR_GREATER
namespace System.Runtime.CompilerServices;

[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class OverloadResolutionPriorityAttribute(int priority) : Attribute
{
    public int Priority { get; } = priority;
}
#endif
