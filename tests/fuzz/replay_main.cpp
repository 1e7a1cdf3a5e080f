// SPDX-License-Identifier: MIT
//
// A main for the fuzz harnesses without libFuzzer: runs every file named on the command line,
// or found under a directory named there, through LLVMFuzzerTestOneInput once, in name order.
// This is how any compiler (g++ included) replays the seed corpus as a CTest regression test.
// Exit 0 when every input passed, 1 when no input was found; a failed check aborts.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::vector<std::uint8_t>& bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
        } else if (fs::is_regular_file(arg, ec)) {
            files.push_back(arg);
        }
        if (ec) {
            std::fprintf(stderr, "error: %s: %s\n", argv[i], ec.message().c_str());
            return 1;
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "error: no input files found\n");
        return 1;
    }
    std::vector<std::uint8_t> bytes;
    for (const fs::path& file : files) {
        if (!read_file(file, bytes)) {
            std::fprintf(stderr, "error: cannot read %s\n", file.string().c_str());
            return 1;
        }
        // Named first, so that a failed check or a sanitizer report can be traced to its file.
        std::printf("replaying %s (%zu bytes)\n", file.string().c_str(), bytes.size());
        std::fflush(stdout);
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return 0;
}
