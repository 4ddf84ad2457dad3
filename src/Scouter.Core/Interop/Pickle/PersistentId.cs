namespace Scouter.Core.Interop.Pickle;

/// <summary>A value <see cref="PickleWriter"/> writes as a persistent id (BINPERSID): torch.save's reference to a storage record.</summary>
internal sealed record PersistentId(object?[] Id);
