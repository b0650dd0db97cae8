#include "policy/auto_route.h"

#include <chrono>
#include <cstdio>
#include <ctime>


namespace holo::policy {

auto_router::auto_router(rules_config cfg, auto_route_options opt)
    : sel_(std::move(cfg)), opt_(std::move(opt)) {
    if (!opt_.probe.cache) opt_.probe.cache = std::make_shared<termux_cache>();
    auto_name_ = opt_.auto_name.empty() ? sel_.config().auto_name : opt_.auto_name;
}

decision auto_router::last() const {
    std::lock_guard<std::mutex> lock(last_mutex_);
    return last_;
}

std::vector<std::string> split_tags(const std::string& header) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        size_t a = cur.find_first_not_of(" \t"), b = cur.find_last_not_of(" \t");
        if (a != std::string::npos) {
            std::string t = cur.substr(a, b - a + 1);
            for (auto& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
            out.push_back(t);
        }
        cur.clear();
    };
    for (char c : header) {
        if (c == ',') flush();
        else cur += c;
    }
    flush();
    return out;
}

int64_t estimate_prompt_tokens(const server::gen_request& req) {
    size_t bytes = req.prompt.size() + req.system.size();
    if (req.messages.is_array()) {
        for (const auto& m : req.messages) {
            if (auto it = m.find("content"); it != m.end() && it->is_string()) bytes += it->get_ref<const std::string&>().size();
        }
    }
    return int64_t((bytes + 3) / 4);
}

void apply_system_prompt(server::gen_request& req, const std::string& prompt) {
    if (prompt.empty()) return;
    if (req.chat) {
        for (const auto& m : req.messages) {
            if (m.value("role", "") == "system") return;
        }
        req.messages.insert(req.messages.begin(), nlohmann::json{{"role", "system"}, {"content", prompt}});
    } else if (!req.raw && req.system.empty()) {
        req.system = prompt;
    }
}

namespace {

std::string placement_text(const placement& p) {
    std::string s;
    auto add = [&](const char* k, const std::optional<int64_t>& v, bool bytes) {
        if (!v) return;
        s += (s.empty() ? "" : " ") + std::string(k) + "=" + (bytes ? format_bytes(*v) : std::to_string(*v));
    };
    add("gpu_layers", p.gpu_layers, false);
    add("gpu_mem", p.gpu_mem, true);
    add("threads", p.threads, false);
    add("parallel", p.parallel, false);
    return s;
}

int local_minute_of_day() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    if (!localtime_r(&t, &tm)) return -1;
    return tm.tm_hour * 60 + tm.tm_min;
}

}  // namespace

result<header_list> auto_router::route(server::gen_request& req, const std::string& tags, int64_t load) {
    if (req.model != auto_name_ && req.model != auto_name_ + ":latest") return header_list{};
    device_state st = probe_device(opt_.probe);
    st.load = load;
    eval_input in;
    in.state = &st;
    in.request.tags = split_tags(tags);
    in.request.prompt_tokens = estimate_prompt_tokens(req);
    in.minute_of_day = local_minute_of_day();
    const double now_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    decision d = sel_.select(in, now_s);
    req.model = d.model;
    apply_system_prompt(req, d.system_prompt);
    header_list h = {{"X-Holobiont-Model", d.model}, {"X-Holobiont-Rule", d.rule}};
    if (auto p = placement_text(d.place); !p.empty()) h.push_back({"X-Holobiont-Placement", p});
    if (opt_.log) {
        std::fprintf(stderr, "holo serve: %s: %s%s\n", auto_name_.c_str(), d.summary().c_str(),
                     d.switched ? " (switched)" : "");
    }
    {
        std::lock_guard<std::mutex> lock(last_mutex_);
        last_ = d;
    }
    return h;
}

}  // namespace holo::policy
