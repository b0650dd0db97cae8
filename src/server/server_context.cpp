#include "server/server_context.h"

namespace holo::server {

result<model_ref> server_context::resolve(const std::string& name, int* status) const {
    *status = 400;
    if (name.empty()) {
        if (served) return *served;
        return error{"model is required"};
    }
    auto n = parse_model_name(name);
    if (!n.ok()) return n.err();
    if (served && served->name == n->str()) return *served;
    auto e = store.resolve(n->str());
    if (!e.ok()) {
        *status = 404;
        return error{"model '" + n->str() + "' not found, try pulling it first"};
    }
    return model_ref{e->name.str(), e->blob_path, e->digest, e->size};
}

std::vector<model_ref> server_context::all_models() const {
    std::vector<model_ref> out;
    if (served) out.push_back(*served);
    for (const auto& e : store.list()) {
        if (served && e.name.str() == served->name) continue;
        out.push_back({e.name.str(), e.blob_path, e.digest, e.size});
    }
    return out;
}

}  // namespace holo::server
