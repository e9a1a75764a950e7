"""GR00T-N1.5 parity fixture, made with the ORIGINAL Isaac-GR00T N1.5 code (training forward, float32, CPU).

Reference code (unmodified upstream files, unpacked by ../shared/realref/setup.sh):
  - NVIDIA Isaac-GR00T 4af2b622 (tag n1.5-release): gr00t/model/gr00t_n1.py (GR00T_N1_5, GR00T_N1_5_Config),
    gr00t/model/backbone/eagle_backbone.py (EagleBackbone), gr00t/model/backbone/eagle2_hg_model/ (config.json,
    configuration_eagle2_5_vl.py, modeling_eagle2_5_vl.py: Eagle2_5_VLForConditionalGeneration, loaded by
    transformers' trust_remote_code machinery exactly as EagleBackbone does), gr00t/model/action_head/
    (flow_matching_action_head.py, cross_attention_dit.py, action_encoder.py).
  - transformers v4.51 cut d1b92369 (Qwen3, SigLIP), diffusers 0.30.2 (Attention, FeedForward, Timesteps,
    TimestepEmbedding), torch 1.13.1 (Debian).

Rerun (no network; writes src/test/resources/parity/gr00t/):
    . /tmp/realref/env-base.sh && "$PY" parity/make_gr00t_fixture.py [OUTPUT_DIR]
On a fresh machine the environment comes from:  bash /work/shared/realref/setup.sh /tmp/realref

What runs: GR00T_N1_5(config).forward(inputs), Isaac-GR00T's own training forward, in eval mode (dropout off):
EagleBackbone (SigLIP -> post_layernorm -> mlp1 = one Linear (use_pixel_shuffle false), the image-context rows of
embed_tokens(ids) replaced by those features, Qwen3 layers kept up to select_layer, features = hidden_states[select_layer]
= model.norm(last kept layer)), then FlowmatchingActionHead.forward: vlln, vl_self_attention, state_encoder,
x_t = (1 - t) noise + t actions, k = long(1000 t), action_encoder(x_t, k) + position_embedding, [state, future tokens,
actions] through the DiT, action_decoder, masked MSE against actions - noise. Each sample runs as its own batch of 1
(no padding); a left-padded 2-sample batch, as Isaac-GR00T's collator builds it, is run too (self-check (c)).

Non-math glue:
  - stub modules installed in sys.modules before the Eagle files are imported: peft (LoraConfig, get_peft_model;
    use_backbone_lora / use_llm_lora are 0 so never called), einops, timm and flash_attn (names radio_model.py imports
    at module level; the RADIO tower is never built, the vision config is siglip_vision_model), tree (dm-tree's
    map_structure over the input dict, used by GR00T_N1_5.prepare_input to move/cast tensors), and the package
    gr00t.model itself (so its __init__, which imports policy.py and the data pipeline, is skipped; gr00t_n1.py,
    backbone/ and action_head/ are imported from the upstream files).
  - HF_MODULES_CACHE points at a temporary folder (transformers copies the trust_remote_code files there).
  - attention kernel: the Eagle config asks for flash_attention_2 (eagle2_hg_model/config.json:2) and
    modeling_eagle2_5_vl.py:111 forces it on the SigLIP config; flash-attn needs CUDA, so the Eagle config is set to
    "eager" before the model is built and the vision config back to "eager" right after. For unpadded inputs the math
    is the same. diffusers picks AttnProcessor (torch 1.13 has no F.scaled_dot_product_attention) instead of
    AttnProcessor2_0: the same softmax(QK^T / sqrt(d)) V.
  - injected randomness: FlowmatchingActionHead.forward draws t with self.sample_time(...) and the noise with
    torch.randn(actions.shape, ...) (flow_matching_action_head.py:307-308); the fixture replaces the instance's
    sample_time by one returning the chosen t, and the module's global `torch` by a proxy whose randn returns the chosen
    noise (every other attribute is torch's). Nothing else is replaced.
  - recording only: forward hooks (SigLIP embeddings and encoder layers, Qwen3 decoder layers, vlln, the VL
    self-attention blocks, the DiT blocks (pre-hook of block 0 for its input), the timestep encoder, action_encoder,
    action_decoder) and a wrapper of eagle_model.forward that keeps its output.hidden_states. None changes a value.

PATCHES to upstream sizes (the model is tiny; every patch is a size, none changes the math). EagleBackbone builds
the Eagle model from the repo-local eagle2_hg_model/config.json (eagle_backbone.py:50-51, real sizes: SigLIP 1152 x 27,
Qwen3-1.7B 28 layers, vocab 151680); eagle_backbone.AutoConfig is replaced by a shim whose from_pretrained calls
transformers' AutoConfig.from_pretrained on that same path and then sets (EAGLE_PATCH below):
  1. vision_config: hidden_size 1152 -> 144, intermediate_size 4304 -> 288, num_hidden_layers 27 -> 2,
     num_attention_heads 16 -> 2 (head 72 kept: Plateau's SigLipEncoder derives heads = width / 72), image_size
     224 -> 56 (patch 14 kept -> 16 patches, so 16 image-context tokens per image); force_image_size 224 -> 56.
  2. text_config (Qwen3): hidden_size 2048 -> 64, intermediate_size 6144 -> 128, num_attention_heads 16 -> 4,
     num_key_value_heads 8 -> 2, head_dim 128 -> 16, num_hidden_layers 28 -> 6 (EagleBackbone then pops the layers
     above select_layer = 4, eagle_backbone.py:59-60, so that code path runs), vocab_size 151680 -> 512;
     rope_theta 1e6, rms_norm_eps 1e-6, tie_word_embeddings true kept.
  3. image_token_index 151669 -> 3 (the tiny vocabulary's <IMG_CONTEXT>).
  GR00T_N1_5_Config (written to config.json): backbone_cfg select_layer 4, project_to_dim null (as the release);
  action_head_cfg backbone_embedding_dim 64 (= LLM width), vl_self_attention_cfg 4 heads x 16 (= 64) x 2 layers,
  diffusion_model_cfg 4 heads x 12 (inner 48) x 6 layers, cross_attention_dim 64, output_dim 32,
  input_embedding_dim 48, hidden_size 32; action_dim 32, action_horizon 16, max_state_dim 64,
  num_target_vision_tokens 32, max_num_embodiments 32 and max_seq_len 1024 (defaults), use_vlln, add_pos_embed,
  interleave_self_attention true, positional_embeddings null (both, as the release), dropout 0.2 (inactive in eval).

WEIGHTS, drawn like make_pi05_fixture.py's realistic() (seed 0, in named_parameters order): token embeddings, SigLIP's
position_embedding, the action head's position_embedding and future_tokens N(0, 1); every LayerNorm / RMSNorm weight
(SigLIP, Qwen3 incl. q_norm/k_norm, vlln, VL self-attention norms) 1 + 0.1 N(0, 1); other 1-D tensors and the
CategorySpecificLinear biases `.b` 0.02 N(0, 1); CategorySpecificLinear `.W` [categories, in, out] N(0, 1/in); every
other matrix (incl. the patch-embedding kernel, mlp1, AdaLayerNorm's linear, proj_out_1/2, the timestep MLP)
N(0, 1/fan_in). lm_head is tied to embed_tokens (one tensor).

FILES written to src/test/resources/parity/gr00t/:
  - model.safetensors: written by GR00T_N1_5.save_pretrained (Isaac-GR00T's save path, transformers 4.51, float32),
    so the names are the release's: backbone.eagle_model.{vision_model.vision_model.*, mlp1.0.*,
    language_model.model.*}, action_head.{vlln, vl_self_attention, model, state_encoder, action_encoder,
    action_decoder, future_tokens, position_embedding}.*; the tied lm_head.weight is dropped (embed_tokens kept); the
    SigLIP attention-pooling head (head.*), which runs but whose output is unused, is included.
  - config.json: the GR00T_N1_5_Config as save_pretrained writes it (model_type gr00t_n1_5, backbone_cfg,
    action_head_cfg, action_dim, action_horizon, ...).
  - inputs.json: {"tokens": [[51 ids], [55 ids]], "time": [0.3, 0.8], "embodiment": 31, "image_context_token": 3,
    "cameras": [1, 1], ...}: the Eagle chat prompt (see PROMPT below) in the tiny vocabulary, 16 context ids per image.
    inputs.safetensors: images.<s> [1, 3, 56, 56] (already-preprocessed pixels (u8 - 127.5) / 127.5, what
    Images.gr00tFrame gives), state.<s> [1, 64], noise.<s> [16, 32], actions.<s> [16, 32] (float32).
  - hidden_states.safetensors: rows of sample 0 then sample 1, float32:
      vision.-1 (SigLIP embeddings: patches + positions), vision.<l> (encoder layer l, before post_layernorm) [32, 144];
      vlm.-1 (embed_tokens with the image-context rows replaced by mlp1(post_layernorm(vision))), vlm.<l> (Qwen3
      layer l's residual output, no final norm) [51 + 55 = 106, 64];
      vl_self_attention.-1 (vlln(backbone features)), vl_self_attention.<j> (block j) [106, 64];
      dit.-1 ([state token, 32 future tokens, 16 action tokens + positions], the DiT input), dit.<l> (block l, before
      norm_out) [49 + 49 = 98, 48].
  - extras.safetensors (debugging aids): backbone_features.<s> [N, 64] (hidden_states[select_layer], normed),
    temb.<s> [1, 48] (timestep encoder), time_proj.<s> [1, 256] (diffusers Timesteps of k), action_tokens.<s>
    [16, 48] (action_encoder output, before positions), pred.<s> [16, 32] (action_decoder rows of the actions),
    loss.<s> [] (Isaac-GR00T's masked MSE, action_mask all ones).

SELF-CHECKS (printed): (a) same x_t, t 0.3 vs 0.8 -> backbone (vision, vlm, vl_self_attention) bit-identical, DiT
states move (AdaLayerNorm and the action encoder's time embedding); (b) same noise/actions, t 0.3 vs 0.8; (c) the
left-padded 2-sample batch (collator convention) vs the per-sample runs: backbone real rows, and how much the DiT of the
shorter sample moves because the action head reads the pad rows unmasked; (d) select_layer semantics: hidden_states
[select_layer] == model.norm(last kept layer), hidden_states[i + 1] == layer i for the others; (e) strict reload:
safetensors load_model(strict=True) into a fresh GR00T_N1_5 (GR00T_N1_5.from_pretrained cannot run here: transformers
4.51's from_pretrained needs accelerate's init_empty_weights, which the realref environment lacks): missing/unexpected
empty, the reloaded model reproduces every saved state exactly; (f) numerics: the sinusoids as
Plateau's Gr00tActionHead computes them (double precision) vs torch's float32, and what that does to dit.-1.
"""
import collections.abc
import importlib.machinery
import json
import math
import os
import shutil
import sys
import tempfile
import types

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src",
                                                          "test", "resources", "parity", "gr00t")
_MODULES = tempfile.mkdtemp(prefix="gr00t-fixture-modules-")
os.environ["HF_MODULES_CACHE"] = _MODULES  # before transformers is imported

import torch  # noqa: E402

VOCAB = 512
CONTEXT_ID = 3
VISION = dict(hidden_size=144, intermediate_size=288, num_hidden_layers=2, num_attention_heads=2, image_size=56)
TEXT = dict(hidden_size=64, intermediate_size=128, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
            num_hidden_layers=6, vocab_size=VOCAB)
SELECT_LAYER = 4
IMAGE = 56
HORIZON = 16
ACTION_DIM = 32
MAX_STATE = 64
EMBODIMENT = 31
TIMES = [0.3, 0.8]
INSTRUCTION_LENGTHS = [9, 13]

EAGLE_PATCH = {"vision_config": VISION, "text_config": TEXT,
               "": dict(image_token_index=CONTEXT_ID, force_image_size=IMAGE, _attn_implementation="eager")}

BACKBONE_CFG = {"eagle_path": "NVEagle/eagle_er-qwen3_1_7B-Siglip2_400M_stage1_5_128gpu_er_v7_1mlp_nops",
                "load_bf16": False, "project_to_dim": None, "reproject_vision": False, "select_layer": SELECT_LAYER,
                "tune_llm": False, "tune_visual": True, "use_flash_attention": True}
ACTION_HEAD_CFG = {
    "action_dim": ACTION_DIM, "action_horizon": HORIZON, "add_pos_embed": True, "backbone_embedding_dim": 64,
    "diffusion_model_cfg": {"attention_head_dim": 12, "cross_attention_dim": 64, "dropout": 0.2,
                            "final_dropout": True, "interleave_self_attention": True, "norm_type": "ada_norm",
                            "num_attention_heads": 4, "num_layers": 6, "output_dim": 32,
                            "positional_embeddings": None},
    "hidden_size": 32, "input_embedding_dim": 48, "max_action_dim": ACTION_DIM, "max_state_dim": MAX_STATE,
    "noise_beta_alpha": 1.5, "noise_beta_beta": 1.0, "noise_s": 0.999,
    "num_inference_timesteps": 4, "num_target_vision_tokens": 32, "num_timestep_buckets": 1000,
    "tune_diffusion_model": True, "tune_projector": True, "use_vlln": True,
    "vl_self_attention_cfg": {"attention_head_dim": 16, "dropout": 0.2, "final_dropout": True,
                              "num_attention_heads": 4, "num_layers": 2, "positional_embeddings": None}}

# The Eagle chat prompt (chat_template.json + processing_eagle2_5_vl.py:414), as Gr00tInputs builds it, with the real
# Qwen2-BPE ids of forward-gr00t.md section 1.4 mapped into the tiny vocabulary: special tokens to fixed small ids,
# ordinary ids r to 8 + r % 500; the instruction is random ids in [8, 512).
SPECIAL = {151644: 1, 151645: 2, 151669: CONTEXT_ID, 151670: 4, 151671: 5}
PREFIX = [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198]
IMAGE_TAG = [27, 1805, 220, 16, 29]  # "<image 1>"
SUFFIX = [151645, 198, 151644, 77091, 198]


def tiny(ids):
    return [SPECIAL.get(r, 8 + r % 500) for r in ids]


# ---------------------------------------------------------------------------------------------------------------------
# Non-math glue.
# ---------------------------------------------------------------------------------------------------------------------
def install_stubs():
    def module(name, **attrs):
        m = types.ModuleType(name, "plateau fixture stub (non-math glue)")
        m.__spec__ = importlib.machinery.ModuleSpec(name, None)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Missing:
        def __init__(self, *a, **k):
            raise RuntimeError("stub: not used by the GR00T-N1.5 SigLIP/Qwen3 path")

    def missing(*a, **k):
        raise RuntimeError("stub: not used by the GR00T-N1.5 SigLIP/Qwen3 path")

    module("peft", LoraConfig=Missing, get_peft_model=missing)
    module("einops", rearrange=missing)
    module("timm")
    module("timm.models", checkpoint_seq=missing, create_model=missing, register_model=lambda fn: fn)
    module("timm.models.vision_transformer", Attention=type("Attention", (Missing,), {}),
           Block=type("Block", (Missing,), {}), LayerScale=type("LayerScale", (Missing,), {}),
           VisionTransformer=type("VisionTransformer", (Missing,), {}), _create_vision_transformer=missing)
    module("flash_attn")
    module("flash_attn.flash_attn_interface", flash_attn_unpadded_qkvpacked_func=missing,
           flash_attn_varlen_qkvpacked_func=missing)
    module("flash_attn.bert_padding", pad_input=missing, unpad_input=missing)

    def map_structure(fn, x):
        if isinstance(x, collections.abc.Mapping):
            return type(x)({k: map_structure(fn, v) for k, v in x.items()})
        if isinstance(x, (list, tuple)):
            return type(x)(map_structure(fn, v) for v in x)
        return fn(x)

    module("tree", map_structure=map_structure)
    import gr00t
    pkg = module("gr00t.model")
    pkg.__path__ = [os.path.join(os.path.dirname(gr00t.__file__), "model")]
    pkg.__spec__.submodule_search_locations = pkg.__path__


def patch_sizes(eagle_backbone):
    from transformers import AutoConfig

    class SizePatchedAutoConfig:
        @staticmethod
        def from_pretrained(path, **kwargs):
            capability = torch.cuda.get_device_capability
            # radio_model.py:170-183 asks the GPU for its compute capability at import (to swap timm's attention for
            # flash-attn in the unused RADIO tower); answer as an A100 would, for that import only.
            torch.cuda.get_device_capability = lambda *a, **k: (8, 0)
            try:
                config = AutoConfig.from_pretrained(path, **kwargs)
            finally:
                torch.cuda.get_device_capability = capability
            for part, values in EAGLE_PATCH.items():
                target = getattr(config, part) if part else config
                for key, value in values.items():
                    if key != "_attn_implementation" and not hasattr(target, key):
                        raise RuntimeError("upstream config has no %s.%s" % (part, key))
                    setattr(target, key, value)
            return config

    eagle_backbone.AutoConfig = SizePatchedAutoConfig


def eager_vision(model):
    vision = model.backbone.eagle_model.vision_model
    assert vision.config._attn_implementation == "flash_attention_2"  # modeling_eagle2_5_vl.py:111
    vision.config._attn_implementation = "eager"
    for module in model.modules():
        cfg = getattr(module, "config", None)
        if cfg is not None and hasattr(cfg, "_attn_implementation_internal") and \
                getattr(cfg, "model_type", "") in ("siglip_vision_model", "qwen3"):
            assert cfg._attn_implementation == "eager", (cfg.model_type, cfg._attn_implementation)


class FixedNoiseTorch:
    """flow_matching_action_head's global `torch`, except that randn returns the chosen noise."""

    def __init__(self, noise):
        self._noise = noise

    def __getattr__(self, name):
        return getattr(torch, name)

    def randn(self, shape, device=None, dtype=None):
        assert tuple(shape) == tuple(self._noise.shape), (shape, self._noise.shape)
        return self._noise.to(device=device, dtype=dtype).clone()


# ---------------------------------------------------------------------------------------------------------------------
# Recording.
# ---------------------------------------------------------------------------------------------------------------------
RECORD = None


def install_recorder(model):
    eagle = model.backbone.eagle_model
    head = model.action_head

    def put(name, value):
        if RECORD is not None:
            RECORD[name] = value.detach().clone()

    def hook(name):
        def fn(module, inputs, output):
            put(name, output[0] if isinstance(output, tuple) else output)
        return fn

    vision = eagle.vision_model.vision_model
    vision.embeddings.register_forward_hook(hook("vision.-1"))
    for i, layer in enumerate(vision.encoder.layers):
        layer.register_forward_hook(hook("vision.%d" % i))
    for i, layer in enumerate(eagle.language_model.model.layers):
        layer.register_forward_hook(hook("vlm.%d" % i))
    original = eagle.forward

    def forward(*args, **kwargs):
        out = original(*args, **kwargs)
        if RECORD is not None:
            RECORD["eagle_hidden_states"] = [h.detach().clone() for h in out.hidden_states]
            put("vlm.-1", out.hidden_states[0])
        return out

    eagle.forward = forward
    model.backbone.register_forward_hook(lambda m, i, o: put("backbone_features", o["backbone_features"]))
    head.vlln.register_forward_hook(hook("vl_self_attention.-1"))
    for i, block in enumerate(head.vl_self_attention.transformer_blocks):
        block.register_forward_hook(hook("vl_self_attention.%d" % i))
    head.model.transformer_blocks[0].register_forward_pre_hook(lambda m, i: put("dit.-1", i[0]))
    for i, block in enumerate(head.model.transformer_blocks):
        block.register_forward_hook(hook("dit.%d" % i))
    head.model.timestep_encoder.register_forward_hook(hook("temb"))
    head.model.timestep_encoder.time_proj.register_forward_hook(hook("time_proj"))
    head.action_encoder.register_forward_hook(hook("action_tokens"))
    head.action_decoder.register_forward_hook(hook("decoder"))
    return len(vision.encoder.layers), len(eagle.language_model.model.layers), \
        len(head.vl_self_attention.transformer_blocks), len(head.model.transformer_blocks)


def realistic(model):
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("embed_tokens.weight", "position_embedding.weight", "future_tokens.weight")):
                p.copy_(torch.randn(p.shape, generator=g))
            elif p.dim() == 1 and name.endswith("weight") and ("norm" in name or name.endswith("vlln.weight")):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".b") and p.dim() == 2:  # CategorySpecificLinear bias [categories, out]
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            elif name.endswith(".W") and p.dim() == 3:  # CategorySpecificLinear [categories, in, out]: x W, fan-in = in
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[1]))
            elif p.dim() == 1:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))


def make_model(GR00T_N1_5, GR00T_N1_5_Config):
    config = GR00T_N1_5_Config(backbone_cfg=BACKBONE_CFG, action_head_cfg=ACTION_HEAD_CFG, action_horizon=HORIZON,
                               action_dim=ACTION_DIM, compute_dtype="float32", architectures=["GR00T_N1_5"],
                               torch_dtype="float32")
    model = GR00T_N1_5(config, local_model_path="").float().eval()
    eager_vision(model)
    return model


def inputs():
    g = torch.Generator().manual_seed(1)
    tokens = []
    for n in INSTRUCTION_LENGTHS:
        instruction = torch.randint(8, VOCAB, (n,), generator=g).tolist()
        tokens.append(tiny(PREFIX) + tiny(IMAGE_TAG) + [SPECIAL[151670]] + [CONTEXT_ID] * (IMAGE // 14) ** 2 +
                      [SPECIAL[151671]] + instruction + tiny(SUFFIX))
    u8 = [torch.randint(0, 256, (1, 3, IMAGE, IMAGE), generator=g) for _ in tokens]
    images = [(u.float() - 127.5) / 127.5 for u in u8]  # the Eagle processor's fused rescale + normalise
    state = [torch.rand(1, MAX_STATE, generator=g) * 2 - 1 for _ in tokens]
    noise = [torch.randn(HORIZON, ACTION_DIM, generator=g) for _ in tokens]
    actions = [torch.rand(HORIZON, ACTION_DIM, generator=g) * 2 - 1 for _ in tokens]
    return tokens, images, state, noise, actions


def run(model, fm, ids, mask, images, state, noise, actions, times):
    """Isaac-GR00T's training forward on one batch; returns the recorded states and the loss."""
    global RECORD
    RECORD = {}
    batch = {"eagle_input_ids": ids, "eagle_attention_mask": mask, "eagle_pixel_values": images,
             "eagle_image_sizes": torch.tensor([[IMAGE, IMAGE]] * images.shape[0]),
             "state": state, "state_mask": torch.ones_like(state, dtype=torch.bool),
             "action": actions, "action_mask": torch.ones_like(actions),
             "embodiment_id": torch.full((ids.shape[0],), EMBODIMENT, dtype=torch.long)}
    head = model.action_head
    head.sample_time = lambda batch_size, device, dtype: torch.tensor(times, dtype=dtype, device=device)
    fm.torch = FixedNoiseTorch(noise)
    try:
        with torch.no_grad():
            out = model(batch)
    finally:
        fm.torch = torch
        del head.sample_time
    rec, RECORD = RECORD, None
    rec["loss"] = out["loss"]
    return rec


def run_one(model, fm, tokens, image, state, noise, actions, t):
    ids = torch.tensor([tokens])
    return run(model, fm, ids, torch.ones_like(ids), image, state[None], noise[None], actions[None], [t])


def names(depths):
    out = []
    for module, depth in zip(("vision", "vlm", "vl_self_attention", "dit"), depths):
        out += ["%s.%d" % (module, i) for i in range(-1, depth)]
    return out


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def flat(rec, name):
    x = rec[name]
    return x.reshape(-1, x.shape[-1])


def main():
    from transformers import logging as hf_logging
    hf_logging.set_verbosity_error()
    install_stubs()
    from safetensors.torch import load_file, load_model, save_file
    from gr00t.model.backbone import eagle_backbone
    from gr00t.model.action_head import flow_matching_action_head as fm
    from gr00t.model.gr00t_n1 import GR00T_N1_5, GR00T_N1_5_Config
    patch_sizes(eagle_backbone)

    torch.manual_seed(0)
    model = make_model(GR00T_N1_5, GR00T_N1_5_Config)
    realistic(model)
    depths = install_recorder(model)
    lm = model.backbone.eagle_model.language_model
    print("kept Qwen3 layers %d (select_layer %d, config num_hidden_layers %d); lm_head tied: %s" % (
        len(lm.model.layers), model.backbone.select_layer, lm.config.num_hidden_layers,
        lm.lm_head.weight is lm.model.embed_tokens.weight))
    print("attention processors: %s" % sorted({type(m.processor).__name__ for m in model.modules()
                                               if hasattr(m, "processor")}))

    tokens, images, state, noise, actions = inputs()
    per_sample = [run_one(model, fm, tokens[s], images[s], state[s], noise[s], actions[s], TIMES[s])
                  for s in range(2)]
    states = {n: torch.cat([flat(r, n) for r in per_sample]).contiguous().float() for n in names(depths)}

    os.makedirs(OUT, exist_ok=True)
    save_file(states, os.path.join(OUT, "hidden_states.safetensors"), metadata={"format": "pt"})
    extras = {}
    for s, r in enumerate(per_sample):
        extras["backbone_features.%d" % s] = r["backbone_features"][0].contiguous().float()
        extras["temb.%d" % s] = r["temb"].contiguous().float()
        extras["time_proj.%d" % s] = r["time_proj"].contiguous().float()
        extras["action_tokens.%d" % s] = r["action_tokens"][0].contiguous().float()
        extras["pred.%d" % s] = r["decoder"][0, -HORIZON:].contiguous().float()
        extras["loss.%d" % s] = r["loss"].contiguous().float()
    save_file(extras, os.path.join(OUT, "extras.safetensors"), metadata={"format": "pt"})
    arrays = {}
    for s in range(2):
        arrays["images.%d" % s] = images[s].contiguous()
        arrays["state.%d" % s] = state[s].contiguous()
        arrays["noise.%d" % s] = noise[s].contiguous()
        arrays["actions.%d" % s] = actions[s].contiguous()
    save_file(arrays, os.path.join(OUT, "inputs.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump({"tokens": tokens, "time": TIMES, "embodiment": EMBODIMENT, "image_context_token": CONTEXT_ID,
                   "cameras": [1, 1],
                   "arrays": "inputs.safetensors: images.<s> [1,3,56,56] pixels (u8 - 127.5) / 127.5; state.<s> "
                             "[1,64]; noise.<s>, actions.<s> [16,32]; x_t = (1 - t) noise + t actions, "
                             "k = trunc(1000 t)"}, f)
        f.write("\n")
    with tempfile.TemporaryDirectory() as saved:
        model.save_pretrained(saved, safe_serialization=True)  # Isaac-GR00T's save path (a PreTrainedModel)
        print("save_pretrained wrote: %s" % sorted(os.listdir(saved)))
        shutil.copy(os.path.join(saved, "model.safetensors"), os.path.join(OUT, "model.safetensors"))
        with open(os.path.join(saved, "config.json")) as f:
            config = json.load(f)
        with open(os.path.join(OUT, "config.json"), "w") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")

    # ---- reference summary ----
    print("\nreference summary (rows = sample 0 then sample 1):")
    for module in ("vision", "vlm", "vl_self_attention", "dit"):
        keys = [k for k in states if k.startswith(module + ".")]
        print("  %s: %d layers (+ input -1)" % (module, len(keys) - 1))
        for k in keys:
            print("    %-22s %-12s max|x| %.6g" % (k, list(states[k].shape), states[k].abs().max().item()))
    for s, r in enumerate(per_sample):
        print("  sample %d: t=%.2f k=%d  |temb| max %.4g  loss %.6g  prompt %d tokens" % (
            s, TIMES[s], int(TIMES[s] * 1000), r["temb"].abs().max().item(), r["loss"].item(), len(tokens[s])))

    # ---- self-checks ----
    print("\nself-checks:")
    backbone_names = [n for n in states if not n.startswith("dit.")]
    dit_names = [n for n in states if n.startswith("dit.")]
    t0, t1 = TIMES[0], 0.8
    x_t = (1 - t0) * noise[0] + t0 * actions[0]
    actions_alt = (x_t - (1 - t1) * noise[0]) / t1
    a = run_one(model, fm, tokens[0], images[0], state[0], noise[0], actions[0], t0)
    b = run_one(model, fm, tokens[0], images[0], state[0], noise[0], actions_alt, t1)
    print("  (a) same x_t (rounding aside), t %.1f vs %.1f:" % (t0, t1))
    print("      backbone states (vision, vlm, vl_self_attention) bit-identical: %s (max abs diff %.3g)" % (
        all(torch.equal(a[n], b[n]) for n in backbone_names),
        max((a[n] - b[n]).abs().max().item() for n in backbone_names)))
    print("      dit: " + ", ".join("%s %.4f" % (n, rel(b[n], a[n])) for n in dit_names))
    c = run_one(model, fm, tokens[0], images[0], state[0], noise[0], actions[0], 0.8)
    print("  (b) same noise/actions, t 0.3 vs 0.8: backbone identical %s; dit: %s" % (
        all(torch.equal(a[n], c[n]) for n in backbone_names),
        ", ".join("%s %.4f" % (n, rel(c[n], a[n])) for n in dit_names)))

    # (c) left-padded batch, as Isaac-GR00T's collator pads (transforms.py:47-52, 70-72).
    length = max(len(t) for t in tokens)
    ids = torch.zeros(2, length, dtype=torch.long)
    mask = torch.zeros(2, length, dtype=torch.long)
    for s, t in enumerate(tokens):
        ids[s, length - len(t):] = torch.tensor(t)
        mask[s, length - len(t):] = 1
    batch = run(model, fm, ids, mask, torch.cat(images), torch.stack(state), torch.stack(noise), torch.stack(actions),
                TIMES)
    print("  (c) left-padded 2-sample batch (pad id 0, mask 0, eager attention) vs the per-sample runs:")
    for s in range(2):
        pad = length - len(tokens[s])
        parts = []
        for n in names(depths):
            got = batch[n][s] if not n.startswith("vision") else batch[n][s:s + 1].reshape(-1, batch[n].shape[-1])
            if n.startswith(("vlm", "vl_self_attention")):
                got = got[pad:]
            parts.append((n, rel(got, flat(per_sample[s], n))))
        worst_backbone = max(v for n, v in parts if n.startswith(("vision", "vlm")))
        print("      sample %d (%d pads): vision+vlm real rows max rel %.2e; vl_self_attention %s; dit %s" % (
            s, pad, worst_backbone,
            " ".join("%.2e" % v for n, v in parts if n.startswith("vl_self")),
            " ".join("%.2e" % v for n, v in parts if n.startswith("dit"))))

    # (d) select_layer semantics.
    hs = per_sample[0]["eagle_hidden_states"]
    norm = model.backbone.eagle_model.language_model.model.norm
    with torch.no_grad():
        normed_last = norm(per_sample[0]["vlm.%d" % (depths[1] - 1)])
    print("  (d) hidden_states: %d entries; [0] == vlm.-1 %s; [i+1] == vlm.i for i < %d: %s; [%d] == norm(vlm.%d) %s; "
          "backbone_features == hidden_states[%d] %s; == raw vlm.%d %s" % (
              len(hs), torch.equal(hs[0], per_sample[0]["vlm.-1"]), depths[1] - 1,
              all(torch.equal(hs[i + 1], per_sample[0]["vlm.%d" % i]) for i in range(depths[1] - 1)),
              depths[1], depths[1] - 1, torch.equal(hs[depths[1]], normed_last), SELECT_LAYER,
              torch.equal(per_sample[0]["backbone_features"], hs[SELECT_LAYER]), depths[1] - 1,
              torch.equal(per_sample[0]["backbone_features"], per_sample[0]["vlm.%d" % (depths[1] - 1)])))

    # (e) strict reloads.
    torch.manual_seed(123)
    fresh = make_model(GR00T_N1_5, GR00T_N1_5_Config)
    missing, unexpected = load_model(fresh, os.path.join(OUT, "model.safetensors"), strict=True)
    print("  (e) safetensors.load_model(strict=True): missing %s, unexpected %s" % (sorted(missing),
                                                                                    sorted(unexpected)))
    raw = load_file(os.path.join(OUT, "model.safetensors"))
    r = fresh.load_state_dict(raw, strict=False)
    print("      plain load_state_dict of the file: missing %s (tied to embed_tokens), unexpected %s" % (
        r.missing_keys, r.unexpected_keys))
    install_recorder(fresh)
    again = [run_one(fresh, fm, tokens[s], images[s], state[s], noise[s], actions[s], TIMES[s]) for s in range(2)]
    same = all(torch.equal(torch.cat([flat(x, n) for x in again]), states[n]) for n in states)
    print("      fresh model reproduces every saved state exactly: %s" % same)
    print("      file dtypes: %s, tensors %d" % (sorted({str(v.dtype) for v in raw.values()}), len(raw)))
    assert not missing and not unexpected and same

    # (f) numerics of the two sinusoids, computed the way Plateau's Gr00tActionHead.java does (timestepEmbedding: f in
    # double rounded to float, arg = k * f in float, cos/sin in double; ditInputOf: tau in double throughout) vs
    # torch's float32 (diffusers get_timestep_embedding, action_encoder.SinusoidalPositionalEncoding); then the whole
    # forward with both replaced by the Java values, to show the error floor this leaves in the DiT states.
    head = model.action_head
    width = head.input_embedding_dim
    for s, t in enumerate(TIMES):
        k = int(1000 * t)
        half = 128
        args = [(torch.tensor(math.exp(-math.log(10000) * i / (half - 1.0)), dtype=torch.float32) * k).item()
                for i in range(half)]
        java_proj = torch.tensor([math.cos(a) for a in args] + [math.sin(a) for a in args], dtype=torch.float32)
        h = width // 2
        java_tau = torch.tensor([math.sin(k * math.exp(-i * math.log(10000) / h)) for i in range(h)] +
                                [math.cos(k * math.exp(-i * math.log(10000) / h)) for i in range(h)],
                                dtype=torch.float32)
        torch_tau = head.action_encoder.pos_encoding(torch.tensor([[k]]))[0, 0]
        hooks = [head.model.timestep_encoder.time_proj.register_forward_hook(lambda m, i, o: java_proj[None].clone()),
                 head.action_encoder.pos_encoding.register_forward_hook(
                     lambda m, i, o: java_tau.expand(o.shape).clone())]
        try:
            java = run_one(model, fm, tokens[s], images[s], state[s], noise[s], actions[s], t)
        finally:
            for hk in hooks:
                hk.remove()
        print("  (f) sample %d, k=%d: Timesteps(256) |java - torch| max %.2e; action-encoder tau |java - torch| max "
              "%.2e; with both: %s" % (
                  s, k, (java_proj - per_sample[s]["time_proj"][0]).abs().max().item(),
                  (java_tau - torch_tau).abs().max().item(),
                  ", ".join("%s %.1e" % (n, rel(flat(java, n), flat(per_sample[s], n))) for n in dit_names)))

    print("\nwritten to %s:" % os.path.abspath(OUT))
    for f in sorted(os.listdir(OUT)):
        print("  %-28s %d bytes" % (f, os.path.getsize(os.path.join(OUT, f))))
    shutil.rmtree(_MODULES, ignore_errors=True)


if __name__ == "__main__":
    main()
