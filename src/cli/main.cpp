// `holo`: one binary, one subcommand per file in this folder (see command.h).
#include <algorithm>
#include <cstdio>

#include "cli/command.h"

namespace holo::cli {
std::vector<command_entry>& command_list() {
    static std::vector<command_entry> list;
    return list;
}
}  // namespace holo::cli

int main(int argc, char** argv) {
    using namespace holo::cli;
    CLI::App app{"holo: runs Mixture-of-Experts language models on ordinary machines"};
    app.require_subcommand(1);
    auto& list = command_list();
    std::sort(list.begin(), list.end(), [](auto& a, auto& b) { return std::string(a.name) < b.name; });
    std::function<int()> to_run;
    for (auto& c : list) {
        CLI::App* sub = app.add_subcommand(c.name, c.help);
        auto run = c.setup(*sub);
        sub->callback([run, &to_run] { to_run = run; });
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return to_run ? to_run() : 1;
}
