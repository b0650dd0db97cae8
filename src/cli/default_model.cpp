#include "cli/default_model.h"

#include <cstdlib>
#include <filesystem>

namespace holo::cli {

std::string default_model_path() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("HOLO_DEFAULT_MODEL"); env && *env) return env;
    std::error_code ec;
    // The binary's own directory, not the working directory: `holo run` works from anywhere.
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    for (const fs::path& p : {exe.parent_path() / "default-model.gguf",
                              exe.parent_path() / ".." / "share" / "holobiont" / "default-model.gguf"}) {
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return {};
}

}  // namespace holo::cli
