// The route tables: each API's handlers turn JSON into engine tasks and back.
#pragma once

namespace httplib {
class Server;
}

namespace holo::server {

struct server_context;

void register_openai_routes(httplib::Server& svr, server_context& ctx);
void register_ollama_routes(httplib::Server& svr, server_context& ctx);
// /health, /metrics, / (the web page).
void register_common_routes(httplib::Server& svr, server_context& ctx);

// The chat page served at / (embedded HTML + CSS + JS).
const char* web_page_html();

}  // namespace holo::server
