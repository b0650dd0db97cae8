// How a `holo` subcommand plugs in: each cli/cmd_<name>.cpp defines its flags on a
// CLI11 sub-app and registers itself with HOLO_COMMAND. Commands stay thin: they
// parse flags and call the modules.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace holo::cli {

// `setup` adds the command's options to `app` and returns the function that runs
// it after parsing (its exit code).
using command_setup = std::function<std::function<int()>(CLI::App& app)>;

struct command_entry {
    const char* name;
    const char* help;
    command_setup setup;
};

std::vector<command_entry>& command_list();

struct command_registrar {
    command_registrar(const char* name, const char* help, command_setup setup) {
        command_list().push_back({name, help, std::move(setup)});
    }
};

}  // namespace holo::cli

#define HOLO_COMMAND(name, help, setup) \
    static const ::holo::cli::command_registrar holo_command_registrar_(name, help, setup)
