// Choosing a model's chat template from GGUF metadata: its own template first,
// else a built-in from the vocabulary; bos/eos texts from the token ids.
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "tokenizer/chat_template_gguf.h"

namespace holo {
namespace {

std::vector<gguf_kv> metadata(const std::string& arch, const std::vector<std::string>& tokens, uint32_t bos,
                              uint32_t eos) {
    return {{"general.architecture", gguf_value::make_string(arch)},
            {"tokenizer.ggml.tokens", gguf_value::make_string_array(tokens)},
            {"tokenizer.ggml.bos_token_id", gguf_value::make_u32(bos)},
            {"tokenizer.ggml.eos_token_id", gguf_value::make_u32(eos)}};
}

TEST(ChatTemplateGguf, UsesTheFilesTemplate) {
    auto md = metadata("qwen3moe", {"a", "<|im_start|>", "<|im_end|>"}, 0, 2);
    md.push_back({"tokenizer.chat_template", gguf_value::make_string("[{{ bos_token }}|{{ eos_token }}|{{ messages[0].content }}]")});
    auto m = chat_template_from_metadata(md, "model.gguf");
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->origin, "tokenizer.chat_template");
    EXPECT_EQ(m->bos_token, "a");
    EXPECT_EQ(m->eos_token, "<|im_end|>");
    render_options o;
    o.bos_token = m->bos_token;
    o.eos_token = m->eos_token;
    auto r = m->tmpl.render({{"user", "hi", nlohmann::ordered_json::object()}}, o);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r.value(), "[a|<|im_end|>|hi]");
}

TEST(ChatTemplateGguf, FallsBackToABuiltin) {
    auto m = chat_template_from_metadata(metadata("llama", {"<|begin_of_text|>", "<|start_header_id|>", "<|eot_id|>"}, 0, 2),
                                         "m.gguf");
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->origin, "built-in llama3");
    EXPECT_EQ(m->tmpl.source(), *builtin_template_source("llama3"));
    m = chat_template_from_metadata(metadata("llama", {"<unk>", "<s>", "</s>"}, 1, 2), "m.gguf");
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->origin, "built-in llama2");
    EXPECT_EQ(m->bos_token, "<s>");
}

TEST(ChatTemplateGguf, BadMetadataIsAnError) {
    auto md = metadata("qwen2", {"a"}, 0, 0);
    md.push_back({"tokenizer.chat_template", gguf_value::make_string("{% for m in messages %}")});
    auto m = chat_template_from_metadata(md, "bad.gguf");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.message(), "bad.gguf: tokenizer.chat_template: chat template syntax error at 1:4: "
                           "'{% for %}' is never closed (missing '{% endfor %}')");
    m = chat_template_from_metadata(metadata("qwen2", {"a"}, 0, 5), "ids.gguf");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.message(), "ids.gguf: tokenizer.ggml.eos_token_id = 5 is outside the vocabulary");
    std::vector<gguf_kv> wrong{{"tokenizer.chat_template", gguf_value::make_u32(3)}};
    m = chat_template_from_metadata(wrong, "t.gguf");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.message(), "t.gguf: tokenizer.chat_template is not a string");
}

TEST(ChatTemplateGguf, EmptyTemplateRendersAnError) {
    chat_template empty;
    auto r = empty.render({}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("empty template"), std::string::npos);
}

}  // namespace
}  // namespace holo
