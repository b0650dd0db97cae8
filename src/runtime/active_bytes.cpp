#include "runtime/active_bytes.h"

#include "model/model.h"
#include "model/weight_table.h"

namespace holo {

active_bytes decode_active_bytes(const model& m) {
    active_bytes b;
    const auto& hp = m.hp();
    const bool tied = m.file().find_tensor(weight_name(weight_kind::output)) == nullptr;
    for (const auto& t : m.file().tensors()) {
        const auto role = role_of(t.name);
        if (role == weight_role::routed_expert) {
            b.routed_total += t.n_bytes;
            if (hp.n_expert > 0) b.routed += t.n_bytes * uint64_t(hp.n_expert_used) / uint64_t(hp.n_expert);
        } else if (role == weight_role::embedding && !tied) {
            const int64_t rows = t.ne.size() > 1 ? t.ne[1] : 1;
            b.embedding_row += t.n_bytes / uint64_t(rows > 0 ? rows : 1);
        } else {
            b.dense += t.n_bytes;  // unknown tensors count too: better over than under
        }
    }
    return b;
}

}  // namespace holo
