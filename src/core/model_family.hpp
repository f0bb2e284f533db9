// What a model family is known to take, from Microsoft's published model tables, guessed from a
// deployment's name (deployments are often named after their model). Only a default: per-
// deployment configuration and what Azure's own answers teach override it.
#pragma once

#include <cstdint>
#include <string_view>

namespace agp {

// Input tokens the model takes (its context window less the output reserve), 0 = unknown.
std::int64_t input_window_of(std::string_view deployment);

}  // namespace agp
