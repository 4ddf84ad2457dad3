using Scouter.Core.Training;

namespace Scouter.Core.Tests.Training;

public sealed class CpuKernelSupportTests
{
    private static CpuKernelSupport Detect(OneDnnIsa hardware, AtenCpuCapability aten, params (string Name, string Value)[] environment)
    {
        var values = environment.ToDictionary(e => e.Name, e => e.Value);
        return CpuKernelSupport.Detect(name => values.GetValueOrDefault(name), hardware, aten, reportsCacheTopology: true);
    }

    [Fact]
    public void WithoutVariables_TheCpusBestIsUsed()
    {
        var kernels = Detect(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512);

        kernels.Should().Be(new CpuKernelSupport(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512));
        kernels.IsAvx512.Should().BeTrue();
        kernels.ToString().Should().Be("oneDNN avx512_core, ATen avx512");
    }

    [Theory]
    [InlineData("AVX2", OneDnnIsa.Avx2)]
    [InlineData("avx2", OneDnnIsa.Avx2)] // oneDNN upper-cases the value
    [InlineData("AVX2_VNNI", OneDnnIsa.Avx2)]
    [InlineData("AVX", OneDnnIsa.Avx)]
    [InlineData("SSE41", OneDnnIsa.Sse41)]
    [InlineData("AVX512_CORE", OneDnnIsa.Avx512Core)]
    [InlineData("AVX10_1_512_AMX", OneDnnIsa.Avx512Core)]
    [InlineData("DEFAULT", OneDnnIsa.Avx512Core)]
    [InlineData("ALL", OneDnnIsa.Avx512Core)]
    [InlineData("bogus", OneDnnIsa.Avx512Core)] // oneDNN ignores values it does not know
    public void OneDnnsCap_LowersTheInstructionSet(string value, OneDnnIsa expected) =>
        Detect(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512, ("ONEDNN_MAX_CPU_ISA", value)).OneDnn.Should().Be(expected);

    [Fact]
    public void TheOlderVariableName_IsRead_AndTheNewOneWins()
    {
        Detect(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512, ("DNNL_MAX_CPU_ISA", "AVX2")).OneDnn.Should().Be(OneDnnIsa.Avx2);
        Detect(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512, ("ONEDNN_MAX_CPU_ISA", "AVX"), ("DNNL_MAX_CPU_ISA", "AVX2")).OneDnn.Should().Be(OneDnnIsa.Avx);
        Detect(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512, ("ONEDNN_MAX_CPU_ISA", string.Empty), ("DNNL_MAX_CPU_ISA", "AVX2")).OneDnn.Should().Be(OneDnnIsa.Avx2, "an empty value counts as unset");
    }

    [Fact]
    public void ACap_NeverRaisesTheInstructionSetAboveTheCpus()
    {
        var kernels = Detect(OneDnnIsa.Avx2, AtenCpuCapability.Avx2, ("ONEDNN_MAX_CPU_ISA", "AVX512_CORE"), ("ATEN_CPU_CAPABILITY", "avx512"));

        kernels.Should().Be(new CpuKernelSupport(OneDnnIsa.Avx2, AtenCpuCapability.Avx2));
        kernels.IsAvx512.Should().BeFalse();
    }

    [Theory]
    [InlineData("avx2", AtenCpuCapability.Avx2)]
    [InlineData("default", AtenCpuCapability.Default)]
    [InlineData("avx512", AtenCpuCapability.Avx512)]
    [InlineData("AVX2", AtenCpuCapability.Avx512)] // ATen compares case-sensitively and ignores other values
    [InlineData("zvector", AtenCpuCapability.Avx512)]
    public void AtensCap_IsReadAsAtenReadsIt(string value, AtenCpuCapability expected)
    {
        var kernels = Detect(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512, ("ATEN_CPU_CAPABILITY", value));

        kernels.Aten.Should().Be(expected);
        kernels.OneDnn.Should().Be(OneDnnIsa.Avx512Core, "ATen's variable does not reach oneDNN");
    }

    [Fact]
    public void CacheTopology_IsReadFromTheCpuUnlessGiven()
    {
        CpuKernelSupport.Detect(_ => null, OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512, reportsCacheTopology: false).ReportsCacheTopology.Should().BeFalse();
        CpuKernelSupport.Detect(_ => null).ReportsCacheTopology.Should().Be(CpuKernelSupport.Current.ReportsCacheTopology);
        new CpuKernelSupport(OneDnnIsa.Avx2, AtenCpuCapability.Avx2).ReportsCacheTopology.Should().BeTrue("the default");
    }

    [Fact]
    public void Current_ReportsThisProcess()
    {
        var current = CpuKernelSupport.Current;

        current.Should().BeSameAs(CpuKernelSupport.Current, "it is read once");
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is null && Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is null)
        {
            current.OneDnn.Should().BeOneOf(OneDnnIsa.Avx2, OneDnnIsa.Avx512Core);
        }
    }
}
