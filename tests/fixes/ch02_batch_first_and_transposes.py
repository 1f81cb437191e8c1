"""Chapter 2: plausible fixes for each fix-me cell."""
from fixes import right, wrong

FIXES = {
    "to_seq_first": [
        wrong("reshape to the swapped shape", "return x.reshape(x.shape[1], x.shape[0], x.shape[2])"),
        wrong("view with -1", "return x.view(-1, x.shape[0], x.shape[2])"),
        wrong("the wrong pair of axes", "return x.transpose(1, 2)"),
        wrong("permute that reverses every axis", "return x.permute(2, 1, 0)"),
        right("permute", "return x.permute(1, 0, 2)"),
        right("movedim", "return x.movedim(1, 0)"),
        right("swapaxes", "return x.swapaxes(0, 1)"),
        right("einops.rearrange", "return rearrange(x, 'b t e -> t b e')"),
    ],
    "flatten_steps": [
        wrong("all NaN, of the right shape", "return torch.full((B, T * H), float('nan'), device=out.device)"),
        wrong("reshape without the transpose", "return out.reshape(B, T * H)"),
        wrong("contiguous and view, no transpose", "return out.contiguous().view(B, T * H)"),
        wrong("hidden before time", "return out.permute(1, 2, 0).reshape(B, T * H)"),
        wrong("reshape, then transpose", "return out.reshape(T * H, B).t()"),
        right("contiguous, then view", "return out.transpose(0, 1).contiguous().view(B, T * H)"),
        right("permute, then flatten", "return out.permute(1, 0, 2).flatten(1)"),
        right("concatenate the steps", "return torch.cat([out[t] for t in range(T)], dim=1)"),
    ],
    "top_layer_state": [
        wrong("the first row", "return h_n[0]"),
        wrong("squeeze after indexing", "return h_n[-1].squeeze()"),
        wrong("transposed to batch-first first", "return h_n.transpose(0, 1)[-1]"),
        wrong("averaged over layers", "return h_n.mean(dim=0)"),
        wrong("a slice keeps the layer axis", "return h_n[-1:]"),
        right("counted from the front", "return h_n[h_n.shape[0] - 1]"),
        right("select", "return h_n.select(0, -1)"),
        right("unbind", "return h_n.unbind(0)[-1]"),
    ],
    "split_heads": [
        wrong("reshape straight to the final shape", "return x.reshape(B, heads, T, D // heads)"),
        wrong("features split as (d, heads)", "return x.view(B, T, D // heads, heads).permute(0, 3, 1, 2)"),
        wrong("transpose the whole tensor, then reshape", "return x.transpose(1, 2).reshape(B, heads, T, D // heads)"),
        wrong("view to (B, T, heads, d) without moving heads",
              "return x.view(B, T, heads, D // heads).reshape(B, heads, T, D // heads)"),
        right("permute", "return x.view(B, T, heads, D // heads).permute(0, 2, 1, 3)"),
        right("unflatten", "return x.unflatten(-1, (heads, D // heads)).transpose(1, 2)"),
        right("einops.rearrange", "return rearrange(x, 'b t (h d) -> b h t d', h=heads)"),
        right("features first, then back", "return x.transpose(1, 2).reshape(B, heads, D // heads, T).transpose(2, 3)"),
    ],
    "steps_to_features": [
        wrong("hidden before time in the group", 'return rearrange(out, "t b h -> b (h t)", b=batch)'),
        wrong("the old pattern without the size check", 'return rearrange(out, "b t h -> b (t h)")'),
        wrong("plain reshape", "return out.reshape(batch, -1)"),
        wrong("batch named on the wrong side", 'return rearrange(out, "t b h -> t (b h)", b=batch)'),
        right("transpose and reshape", "return out.transpose(0, 1).reshape(batch, -1)"),
        right("two steps of rearrange", 'return rearrange(rearrange(out, "t b h -> b t h", b=batch), "b t h -> b (t h)")'),
    ],
}
