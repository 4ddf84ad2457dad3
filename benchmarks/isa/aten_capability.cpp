// Prints the CPU capability ATen (LibTorch's element-wise kernels) dispatches to in this process, as LibTorch itself
// decides it: from the CPU and ATEN_CPU_CAPABILITY. Build against the LibTorch that TorchSharp restored:
//   LIB=$(dirname $(find ~/.nuget/packages/libtorch-cpu-linux-x64 -name libtorch_cpu.so | head -1))
//   g++ benchmarks/isa/aten_capability.cpp -o /tmp/aten_capability -L$LIB -ltorch_cpu -lc10 -Wl,-rpath,$LIB
//   ATEN_CPU_CAPABILITY=avx2 /tmp/aten_capability      # ATen CPU capability: AVX2
// oneDNN reports its own instruction set with ONEDNN_VERBOSE=1 ("info,cpu,isa:..." and "jit:avx2" per primitive).
#include <iostream>
#include <string>

namespace at
{
std::string get_cpu_capability();
}

int main()
{
    std::cout << "ATen CPU capability: " << at::get_cpu_capability() << std::endl;
    return 0;
}
