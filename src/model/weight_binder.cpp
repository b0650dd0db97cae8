#include "model/weight_binder.h"

#include <cmath>
#include <sstream>

namespace holo {

namespace {

std::string shape_str(const std::vector<int64_t>& ne) {
    std::ostringstream s;
    s << '[';
    for (size_t i = 0; i < ne.size(); ++i) s << (i ? ", " : "") << ne[i];
    s << ']';
    return s.str();
}

bool same_shape(const std::vector<int64_t>& have, std::initializer_list<int64_t> want) {
    // GGUF may store trailing 1-sized dimensions or not; compare padded to 4.
    int64_t a[4] = {1, 1, 1, 1}, b[4] = {1, 1, 1, 1};
    if (have.size() > 4 || want.size() > 4) return false;
    for (size_t i = 0; i < have.size(); ++i) a[i] = have[i];
    size_t i = 0;
    for (int64_t v : want) b[i++] = v;
    for (int j = 0; j < 4; ++j)
        if (a[j] != b[j]) return false;
    return true;
}

}  // namespace

weight_matrix weight_view::matrix(int64_t i2) const {
    HOLO_ASSERT(data != nullptr, "matrix of an absent weight");
    HOLO_ASSERT(i2 >= 0 && i2 < ne[2], "matrix index out of range");
    return weight_matrix{type, data + size_t(i2) * row_bytes * size_t(ne[1]), ne[0], ne[1], row_bytes};
}

void weight_binder::fail(const std::string& what) {
    if (!err_) err_ = error{m_.file_.path() + ": " + what};
}

weight_view weight_binder::matrix(weight_kind k, int il, std::initializer_list<int64_t> ne, bool required) {
    weight_view v;
    if (!ok()) return v;
    const std::string name = weight_name(k, il);
    const gguf_tensor_info* t = m_.file_.find_tensor(name);
    if (!t) {
        if (required) fail("missing tensor '" + name + "' (architecture " + hp().arch + ")");
        return v;
    }
    if (!same_shape(t->ne, ne)) {
        std::vector<int64_t> want(ne);
        fail("tensor '" + name + "' has shape " + shape_str(t->ne) + ", expected " + shape_str(want));
        return v;
    }
    auto rb = row_bytes(t->type, uint64_t(t->ne[0]));
    if (!rb) {
        fail("tensor '" + name + "': row of " + std::to_string(t->ne[0]) + " elements is not a whole number of " +
             std::string(type_name(t->type)) + " blocks");
        return v;
    }
    v.name = name;
    v.type = t->type;
    v.data = m_.file_.tensor_data(*t).data();
    size_t i = 0;
    for (int64_t x : ne) v.ne[i++] = x;
    v.row_bytes = size_t(*rb);
    return v;
}

std::vector<float> weight_binder::vec(weight_kind k, int il, int64_t n, bool required, const char* suffix) {
    std::vector<float> out;
    if (!ok()) return out;
    const std::string name = weight_name(k, il, suffix);
    const gguf_tensor_info* t = m_.file_.find_tensor(name);
    if (!t) {
        if (required) fail("missing tensor '" + name + "' (architecture " + hp().arch + ")");
        return out;
    }
    if (!same_shape(t->ne, {n})) {
        fail("tensor '" + name + "' has shape " + shape_str(t->ne) + ", expected [" + std::to_string(n) + "]");
        return out;
    }
    if (!row_bytes(t->type, uint64_t(n))) {
        fail("tensor '" + name + "': " + std::to_string(n) + " elements are not whole " + std::string(type_name(t->type)) +
             " blocks");
        return out;
    }
    out.resize(size_t(n));
    traits_of(t->type).dequantize_row(m_.file_.tensor_data(*t).data(), out.data(), n);
    return out;
}

void weight_binder::bind_embeddings(bool tie_allowed) {
    const gguf_tensor_info* t = m_.file_.find_tensor(weight_name(weight_kind::token_embd));
    if (!t || t->ne.size() < 2) {
        fail("missing 2-D tensor 'token_embd.weight'");
        return;
    }
    const int64_t n_embd = hp().n_embd;
    hp_mut().n_vocab = t->ne[1];
    if (hp().n_vocab <= 0) fail("token_embd.weight has no rows");
    m_.tok_embd_ = matrix(weight_kind::token_embd, -1, {n_embd, hp().n_vocab});
    m_.output_norm_ = vec(weight_kind::output_norm, -1, n_embd);
    m_.output_ = matrix(weight_kind::output, -1, {n_embd, hp().n_vocab}, !tie_allowed);
    if (!m_.output_) m_.output_ = m_.tok_embd_;
}

void weight_binder::bind_rope_freqs() {
    m_.rope_freqs_ = vec(weight_kind::rope_freqs, -1, hp().n_rot / 2, /*required=*/false);
    for (float f : m_.rope_freqs_)
        if (!(f > 0.0f) || !std::isfinite(f)) fail("rope_freqs.weight holds a non-positive or non-finite factor");
}

void weight_binder::bind_attention(int il, bool qk_norm) {
    const hparams& h = hp();
    layer_weights& l = layer(il);
    l.attn_norm = vec(weight_kind::attn_norm, il, h.n_embd);
    l.wq = matrix(weight_kind::attn_q, il, {h.n_embd, h.n_embd_q()});
    l.wk = matrix(weight_kind::attn_k, il, {h.n_embd, h.n_embd_kv()});
    l.wv = matrix(weight_kind::attn_v, il, {h.n_embd, h.n_embd_kv()});
    l.wo = matrix(weight_kind::attn_output, il, {h.n_embd_q(), h.n_embd});
    // llama.cpp loads these biases as optional for every architecture (qwen2 has them).
    l.bq = vec(weight_kind::attn_q, il, h.n_embd_q(), false, "bias");
    l.bk = vec(weight_kind::attn_k, il, h.n_embd_kv(), false, "bias");
    l.bv = vec(weight_kind::attn_v, il, h.n_embd_kv(), false, "bias");
    l.bo = vec(weight_kind::attn_output, il, h.n_embd, false, "bias");
    if (qk_norm) {
        l.q_norm = vec(weight_kind::attn_q_norm, il, h.head_dim);
        l.k_norm = vec(weight_kind::attn_k_norm, il, h.head_dim);
    }
}

void weight_binder::bind_dense_ffn(int il) {
    const hparams& h = hp();
    layer_weights& l = layer(il);
    if (h.n_ff <= 0) fail("feed_forward_length is missing or 0");
    l.ffn_norm = vec(weight_kind::ffn_norm, il, h.n_embd);
    l.ffn_gate = matrix(weight_kind::ffn_gate, il, {h.n_embd, h.n_ff});
    l.ffn_up = matrix(weight_kind::ffn_up, il, {h.n_embd, h.n_ff});
    l.ffn_down = matrix(weight_kind::ffn_down, il, {h.n_ff, h.n_embd});
}

void weight_binder::bind_moe(int il) {
    const hparams& h = hp();
    layer_weights& l = layer(il);
    if (h.n_ff_exp <= 0) fail("expert feed-forward width is missing or 0");
    l.ffn_norm = vec(weight_kind::ffn_norm, il, h.n_embd);
    l.gate_inp = matrix(weight_kind::ffn_gate_inp, il, {h.n_embd, h.n_expert});
    l.gate_exps = matrix(weight_kind::ffn_gate_exps, il, {h.n_embd, h.n_ff_exp, h.n_expert});
    l.up_exps = matrix(weight_kind::ffn_up_exps, il, {h.n_embd, h.n_ff_exp, h.n_expert});
    l.down_exps = matrix(weight_kind::ffn_down_exps, il, {h.n_ff_exp, h.n_embd, h.n_expert});
    if (!ok()) return;
    // Plain descriptors for the experts module (it does not know model/ types).
    const uint8_t* base = m_.file_.tensor_data(m_.file_.tensors().front()).data() -
                          m_.file_.tensors().front().offset;  // start of the data section
    auto slice = [&](const weight_view& w, int64_t ie) {
        expert_slice s;
        s.w = w.matrix(ie);
        s.n_bytes = uint64_t(w.row_bytes) * uint64_t(w.ne[1]);
        s.file_offset = m_.file_.data_offset() + uint64_t(s.w.data - base);
        return s;
    };
    l.experts.il = il;
    l.experts.n_embd = h.n_embd;
    l.experts.n_ff_exp = h.n_ff_exp;
    l.experts.experts.clear();
    for (int64_t ie = 0; ie < h.n_expert; ++ie) {
        l.experts.experts.push_back(
            expert_desc{il, int(ie), slice(l.gate_exps, ie), slice(l.up_exps, ie), slice(l.down_exps, ie)});
    }
}

void weight_binder::bind_shared_expert(int il, bool gated) {
    const hparams& h = hp();
    layer_weights& l = layer(il);
    if (h.n_ff_shexp <= 0) fail("shared expert width is missing or 0");
    l.gate_shexp = matrix(weight_kind::ffn_gate_shexp, il, {h.n_embd, h.n_ff_shexp});
    l.up_shexp = matrix(weight_kind::ffn_up_shexp, il, {h.n_embd, h.n_ff_shexp});
    l.down_shexp = matrix(weight_kind::ffn_down_shexp, il, {h.n_ff_shexp, h.n_embd});
    if (gated) l.gate_inp_shexp = vec(weight_kind::ffn_gate_inp_shexp, il, h.n_embd);
}

}  // namespace holo
