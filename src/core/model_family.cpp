#include "core/model_family.hpp"

#include <array>
#include <utility>

namespace agp {

std::int64_t input_window_of(std::string_view d) {
  auto has = [&](std::string_view s) { return d.find(s) != std::string_view::npos; };
  // Most specific first (Azure OpenAI models page: "Context Window (Input)").
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 18> kTable{{
      {"gpt-5.4-mini", 272000},
      {"gpt-5.4-nano", 272000},
      {"gpt-5.4", 922000},
      {"gpt-5.5", 922000},
      {"gpt-5-chat", 128000},
      {"-chat", 111616},  // gpt-5.1-chat and later chat previews (gpt-5-chat: 128k total)
      {"gpt-5", 272000},
      {"codex", 272000},
      {"gpt-4.1", 300000},  // standard deployments (1M only on some)
      {"o1-mini", 128000},
      {"o1", 200000},
      {"o3", 200000},
      {"o4-mini", 200000},
      {"gpt-4o", 128000},
      {"gpt-oss", 131072},
      {"gpt-4-turbo", 128000},
      {"gpt-35-turbo", 16385},
      {"gpt-4", 8192},
  }};
  for (auto& [pattern, window] : kTable)
    if (has(pattern)) return window;
  return 0;
}

}  // namespace agp
