// `holo select [--rules FILE] [--state-root DIR] [--explain] [--json]`: shows the
// device state the probes see and which rule of a rules file would fire now, the
// same decision `holo serve --rules` makes for a request to the `auto` model.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/model_args.h"
#include "policy/auto_route.h"
#include "policy/selector.h"

namespace holo::cli {
namespace {

struct select_args {
    std::string rules;
    policy::probe_options probe;
    bool explain = false;
    bool json = false;
    std::string tags;
    int64_t prompt_tokens = -1;
    int64_t load = 0;
    std::string time;  // HH:MM, for trying time windows
};

nlohmann::json state_json(const policy::device_state& s) {
    auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    return {{"battery", opt(s.battery_pct)},   {"charging", opt(s.charging)},   {"free_ram", opt(s.free_ram)},
            {"free_swap", opt(s.free_swap)},   {"cpu_temp", opt(s.cpu_temp_c)}, {"throttled", opt(s.throttled)},
            {"free_gpu_mem", opt(s.free_gpu_mem)}, {"load", s.load},          {"sources", s.sources}};
}

int run_select(select_args& a) {
    if (a.rules.empty()) {
        if (const char* home = std::getenv("HOME")) {
            std::string def = std::string(home) + "/.holobiont/rules.yaml";
            if (std::filesystem::exists(def)) a.rules = def;
        }
    }
    policy::device_state st = policy::probe_device(a.probe);
    st.load = a.load;
    policy::eval_input in;
    in.state = &st;
    in.request.tags = policy::split_tags(a.tags);
    in.request.prompt_tokens = a.prompt_tokens;
    if (!a.time.empty()) {
        int h = -1, m = -1;
        char extra;
        if (std::sscanf(a.time.c_str(), "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || h > 23 || m < 0 || m > 59) {
            return fail("select", "--time must be HH:MM, not '" + a.time + "'");
        }
        in.minute_of_day = h * 60 + m;
    } else {
        std::time_t t = std::time(nullptr);
        std::tm tm{};
        if (localtime_r(&t, &tm)) in.minute_of_day = tm.tm_hour * 60 + tm.tm_min;
    }

    nlohmann::json out = {{"state", state_json(st)}};
    std::optional<policy::decision> d;
    if (!a.rules.empty()) {
        auto cfg = policy::load_rules(a.rules);
        if (!cfg.ok()) return fail("select", cfg.message());
        policy::selector sel(std::move(cfg.value()));
        d = sel.evaluate(in);
        nlohmann::json place = nlohmann::json::object();
        if (d->place.gpu_layers) place["gpu_layers"] = *d->place.gpu_layers;
        if (d->place.gpu_mem) place["gpu_mem"] = *d->place.gpu_mem;
        if (d->place.threads) place["threads"] = *d->place.threads;
        if (d->place.parallel) place["parallel"] = *d->place.parallel;
        out["decision"] = {{"model", d->model}, {"rule", d->rule}, {"line", d->rule_line}, {"placement", place},
                           {"system_prompt", d->system_prompt}, {"why", d->why}};
    }
    if (a.json) {
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("%s", policy::describe(st).c_str());
    if (a.explain) {
        for (const auto& s : st.sources) std::printf("  source %s\n", s.c_str());
    }
    if (!d) {
        std::printf("no rules file (--rules FILE, or ~/.holobiont/rules.yaml)\n");
        return 0;
    }
    if (a.explain) {
        std::printf("\n");
        for (const auto& line : d->why) std::printf("%s\n", line.c_str());
        std::printf("\n");
    }
    std::printf("selected: %s\n", d->summary().c_str());
    return 0;
}

}  // namespace

HOLO_COMMAND("select", "show the device state and which model-selection rule would fire", [](CLI::App& app) {
    auto a = std::make_shared<select_args>();
    app.add_option("--rules", a->rules, "rules file (default ~/.holobiont/rules.yaml if present)");
    app.add_option("--state-root", a->probe.root, "read /sys and /proc under this directory (default /)");
    app.add_option("--termux-battery-cmd", a->probe.termux_battery_cmd,
                   "command printing Termux battery JSON (default termux-battery-status, run if present)");
    app.add_flag("--explain", a->explain, "show every rule tried and each fact it looked at");
    app.add_flag("--json", a->json, "print the state and decision as JSON");
    app.add_option("--tags", a->tags, "request tags to assume (comma-separated)");
    app.add_option("--prompt-tokens", a->prompt_tokens, "prompt length to assume");
    app.add_option("--load", a->load, "active requests to assume (default 0)");
    app.add_option("--time", a->time, "local time to assume, HH:MM (default now)");
    return [a] { return run_select(*a); };
});

}  // namespace holo::cli
