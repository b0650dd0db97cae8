#include "server/json_body.h"

namespace holo::server {

int json_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) return deepest;
        } else if (c == ']' || c == '}') {
            if (depth > 0) --depth;
        }
    }
    return deepest;
}

result<nlohmann::json> parse_json_body(std::string_view body, int max_depth) {
    if (body.empty()) return error{"the request body is empty; expected a JSON object"};
    if (json_depth(body, max_depth) > max_depth) {
        return error{"the request body nests JSON deeper than " + std::to_string(max_depth) + " levels"};
    }
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        // Parse again with exceptions only to get the parser's message (position, reason).
        try {
            auto again = nlohmann::json::parse(body);
            (void)again;
        } catch (const nlohmann::json::exception& e) {
            return error{std::string("the request body is not valid JSON: ") + e.what()};
        }
        return error{"the request body is not valid JSON"};
    }
    if (!j.is_object()) return error{"the request body must be a JSON object"};
    return j;
}

std::string to_json_text(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace holo::server
