"""GR00T-N1.5 PRUNED parity fixture: proves, with the ORIGINAL Isaac-GR00T N1.5 code, that a Plateau-pruned GR00T-N1.5
export builds and loads UNEDITED and strictly, and records what it computes.

Rerun (no network; reads the export, writes src/test/resources/parity/gr00t-pruned/):
    . /tmp/realref/env-base.sh && "$PY" parity/make_gr00t_pruned_fixture.py /tmp/prunedfx/gr00t-export [OUTPUT_DIR]
where /tmp/prunedfx/gr00t-export is Plateau's pruning of src/test/resources/parity/gr00t/: Qwen3 layer 2 removed
(kept 0, 1, 3 -> 0, 1, 2), VL self-attention block 1 removed (kept 0 -> 0), DiT blocks 2 and 3 removed (kept 0, 1, 4, 5
-> 0, 1, 2, 3); config.json edited by Plateau (backbone_cfg.select_layer 4 -> 3,
action_head_cfg.vl_self_attention_cfg.num_layers 2 -> 1, action_head_cfg.diffusion_model_cfg.num_layers 6 -> 4),
model.safetensors (kept layers renumbered), plateau-pruning.json. Other files in the export folder (copies of the base
fixture's hidden_states.safetensors etc.) are not read.

Same environment, stubs, Eagle size patches, recorder and forward as make_gr00t_fixture.py (imported from it as `fx`;
its import-time side effects are only the ones this script needs too: a temporary HF_MODULES_CACHE folder, set before
transformers is imported, and OUT = argv[1], which is not used here). The Eagle size patch (fx.EAGLE_PATCH) still
shrinks the backbone's repo-local eagle2_hg_model/config.json (its LLM gets 6 layers, as in the base fixture); nothing
else is patched: select_layer, the VL self-attention and DiT depths come from the EXPORT's config.json, read by
GR00T_N1_5_Config.from_pretrained, unedited.

Steps:
  1. (A) GR00T_N1_5.from_pretrained(export) -- Isaac-GR00T's own loader (what policy.py:240 calls), unedited. It goes
     through transformers 4.51's PreTrainedModel.from_pretrained, whose init context needs accelerate's
     init_empty_weights (modeling_utils.py:3736); accelerate is not in the realref environment, so the ~20-line context
     manager (parameters created on the meta device, buffers untouched) is supplied as transformers'
     modeling_utils.init_empty_weights, and accelerate's find_tied_parameters (modeling_utils.py:1352; groups of names
     sharing one Parameter) likewise, and torch >= 2.1's load_state_dict(assign=True), with which transformers puts each
     checkpoint tensor into the meta model (modeling_utils.py:712; torch 1.13 lacks `assign`) (all non-math glue:
     loading then materialises every parameter from the file, values untouched).
     (A') the same super().from_pretrained call gr00t_n1.py:224 makes, with output_loading_info=True, to PRINT its
     missing / unexpected / mismatched keys (GR00T's override cannot pass that flag through: it would get a tuple),
     and, as a control, the same call on the unpruned base fixture.
     (B) GR00T_N1_5(GR00T_N1_5_Config.from_pretrained(export)) + safetensors.torch.load_model(strict=True) (the base
     fixture's strict reload; this is the model the fixture records). Missing and unexpected keys must be empty; the
     model's depths must be plateau-pruning's (vision 2, Qwen3 3, VL self-attention 1, DiT 4).
     What (A) does, found here and asserted as found: no unexpected or mismatched keys, depths as (B); ONE missing key,
     backbone.eagle_model.language_model.lm_head.weight, for the base fixture exactly as for the export (the meta
     init breaks the lm_head / embed_tokens tie of the nested Qwen3ForCausalLM and GR00T_N1_5's own tie_weights does
     not reach it; lm_head feeds only logits that EagleBackbone discards); and every Eagle tensor (vision, mlp1, LLM)
     rounded to bfloat16 (EagleBackbone builds the Eagle model with AutoModel.from_config, which takes the repo-local
     Eagle config's torch_dtype bfloat16, and the loader casts each checkpoint tensor to the dtype of the parameter it
     fills), the action head's exact. So (A)'s tensors equal (B)'s rounded to (A)'s dtypes, and (A)'s forward is
     printed against (B)'s, not asserted equal.
  2. the base fixture's forward on the base fixture's inputs (src/test/resources/parity/gr00t/inputs.*; each sample a
     batch of 1; t and noise injected as there), recording vision.-1..1, vlm.-1..2, vl_self_attention.-1..0,
     dit.-1..3 with the PRUNED model's numbering (rows of sample 0 then sample 1) -> hidden_states.safetensors
     (+ README.txt).
  3. self-checks against ../gr00t/: the export's tensors equal the base tensors under plateau-pruning.json's layer_map;
     vision.*, vlm.-1, vlm.0, vlm.1 (and dit.-1, which reads no VL feature) equal the base states; backbone features
     == model.norm(vlm.2) == hidden_states[select_layer 3]; the DiT block kinds (cross / self attention, read from the
     attn1.to_k width) agree with the index parity the DiT forward uses; how far dit.0..3 move from the base.
  4. negative (printed only): the export's weights with the BASE config.json (select_layer 4, 2 VL blocks, 6 DiT
     blocks), i.e. what an un-edited config would do: strict load fails; GR00T_N1_5.from_pretrained only logs a warning
     and runs with freshly initialised layers.
"""
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "src", "test", "resources", "parity", "gr00t")
sys.path.insert(0, HERE)
import make_gr00t_fixture as fx  # noqa: E402  (definitions + HF_MODULES_CACHE; its main() is not run)

import torch  # noqa: E402

if len(sys.argv) < 2:
    sys.exit("usage: make_gr00t_pruned_fixture.py EXPORT_DIR [OUTPUT_DIR]")
EXPORT = os.path.abspath(sys.argv[1])
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "src", "test", "resources", "parity",
                                                         "gr00t-pruned")
REMOVED_STATE_NAMES = ("vlm.", "vl_self_attention.", "dit.")


@contextlib.contextmanager
def init_empty_weights(include_buffers=False):
    """accelerate.init_empty_weights (accelerate/big_modeling.py), which transformers 4.51 enters around the model's
    __init__ in from_pretrained: every registered parameter is moved to the meta device (no memory, no values); the
    loader then assigns the checkpoint's tensors. Buffers are left alone (include_buffers=False, as transformers calls
    it). Non-math glue: accelerate is not installed in the realref environment."""
    assert not include_buffers
    register = torch.nn.Module.register_parameter

    def register_empty_parameter(module, name, param):
        register(module, name, param)
        if param is not None:
            cls = type(module._parameters[name])
            kwargs = module._parameters[name].__dict__
            kwargs["requires_grad"] = param.requires_grad
            module._parameters[name] = cls(module._parameters[name].to(torch.device("meta")), **kwargs)

    torch.nn.Module.register_parameter = register_empty_parameter
    try:
        yield
    finally:
        torch.nn.Module.register_parameter = register


def find_tied_parameters(model, **kwargs):
    """accelerate.utils.find_tied_parameters (accelerate/utils/modeling.py), which transformers 4.51's
    _find_missing_and_unexpected_keys calls (modeling_utils.py:1352): groups of parameter names that share one
    Parameter object, each group sorted. (accelerate walks named_parameters(remove_duplicate=False), which torch 1.13
    lacks; walking named_modules(remove_duplicate=False) and each module's own parameters lists the same names.)"""
    groups = {}
    for prefix, module in model.named_modules(remove_duplicate=False):
        for name, param in module._parameters.items():
            if param is not None:
                groups.setdefault(id(param), set()).add(prefix + "." + name if prefix else name)
    return [sorted(names) for names in groups.values() if len(names) > 1]


@contextlib.contextmanager
def load_state_dict_assign():
    """torch >= 2.1's Module.load_state_dict(..., assign=True), which transformers 4.51 uses to put every checkpoint
    tensor into the meta-initialised model (_load_parameter_into_model, modeling_utils.py:708-712: one module, one
    direct parameter or buffer name per call). torch 1.13 has no `assign`; this adds it for exactly that use, as
    torch 2.1's Module._load_from_state_dict does it: a shape mismatch is an error (raised, as load_state_dict raises on
    any error message), a parameter is replaced by Parameter(tensor, requires_grad=old.requires_grad), a buffer by the
    tensor. Without assign=True the original method runs. Non-math glue (values are taken as they are)."""
    original = torch.nn.Module.load_state_dict

    def load_state_dict(module, state_dict, strict=True, assign=False):
        if not assign:
            return original(module, state_dict, strict=strict)
        for name, tensor in state_dict.items():
            assert "." not in name, name
            if name in module._parameters and module._parameters[name] is not None:
                old = module._parameters[name]
                if old.shape != tensor.shape:
                    raise RuntimeError("Error(s) in loading state_dict for %s:\n\tsize mismatch for %s: copying a "
                                       "param with shape %s from checkpoint, the shape in current model is %s." % (
                                           type(module).__name__, name, tuple(tensor.shape), tuple(old.shape)))
                setattr(module, name, tensor if isinstance(tensor, torch.nn.Parameter)
                        else torch.nn.Parameter(tensor, requires_grad=old.requires_grad))
            elif name in module._buffers and module._buffers[name] is not None:
                if module._buffers[name].shape != tensor.shape:
                    raise RuntimeError("size mismatch for buffer %s" % name)
                setattr(module, name, tensor)
            elif strict:
                raise RuntimeError("unexpected key %s" % name)
        return torch.nn.modules.module._IncompatibleKeys([], [])

    torch.nn.Module.load_state_dict = load_state_dict
    try:
        yield
    finally:
        torch.nn.Module.load_state_dict = original


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


@contextlib.contextmanager
def capture_transformers_warnings():
    from transformers.utils import logging as hf_logging
    logger = hf_logging.get_logger("transformers.modeling_utils")
    handler = Captured()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def depths_of(model):
    return (len(model.backbone.eagle_model.vision_model.vision_model.encoder.layers),
            len(model.backbone.eagle_model.language_model.model.layers),
            len(model.action_head.vl_self_attention.transformer_blocks),
            len(model.action_head.model.transformer_blocks))


def base_name(name, layer_map):
    """The base-model tensor name a pruned-model tensor name maps to (plateau-pruning.json layer_map)."""
    prefixes = {"vlm": "backbone.eagle_model.language_model.model.layers.",
                "vl_self_attention": "action_head.vl_self_attention.transformer_blocks.",
                "dit": "action_head.model.transformer_blocks."}
    for module, prefix in prefixes.items():
        if name.startswith(prefix):
            index, rest = name[len(prefix):].split(".", 1)
            old = {new: old for old, new in layer_map[module].items()}[int(index)]
            return "%s%s.%s" % (prefix, old, rest)
    return name


def layer_prefix(name):
    """backbone....layers.2.self_attn.q_proj.weight -> backbone....layers.2"""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part in ("layers", "transformer_blocks") and i + 1 < len(parts) and parts[i + 1].isdigit():
            return ".".join(parts[:i + 2])
    return name


def strict_build(GR00T_N1_5, GR00T_N1_5_Config, folder, weights):
    from safetensors.torch import load_model
    config = GR00T_N1_5_Config.from_pretrained(folder)
    model = GR00T_N1_5(config, local_model_path=folder).float().eval()
    fx.eager_vision(model)
    missing, unexpected = load_model(model, weights, strict=False)
    return model, config, sorted(missing), sorted(unexpected)


def main():
    from transformers import PreTrainedModel
    from transformers import logging as hf_logging
    from transformers import modeling_utils
    hf_logging.set_verbosity_error()
    fx.install_stubs()
    from safetensors.torch import load_file, load_model, save_file
    from gr00t.model.backbone import eagle_backbone
    from gr00t.model.action_head import flow_matching_action_head as fm
    from gr00t.model.gr00t_n1 import GR00T_N1_5, GR00T_N1_5_Config
    fx.patch_sizes(eagle_backbone)
    assert not hasattr(modeling_utils, "init_empty_weights"), "accelerate present: the shim is not needed"
    modeling_utils.init_empty_weights = init_empty_weights
    modeling_utils.find_tied_parameters = find_tied_parameters

    with open(os.path.join(EXPORT, "config.json")) as f:
        export_config = json.load(f)
    with open(os.path.join(EXPORT, "plateau-pruning.json")) as f:
        pruning = json.load(f)
    weights = os.path.join(EXPORT, "model.safetensors")
    print("export %s\n  config.json: select_layer %s, vl_self_attention_cfg.num_layers %s, "
          "diffusion_model_cfg.num_layers %s; plateau-pruning.json depths %s, layer_map %s" % (
              EXPORT, export_config["backbone_cfg"]["select_layer"],
              export_config["action_head_cfg"]["vl_self_attention_cfg"]["num_layers"],
              export_config["action_head_cfg"]["diffusion_model_cfg"]["num_layers"], pruning["depths"],
              pruning["layer_map"]))

    # ---- 1 (B): build from the export's config.json, strict safetensors load ----
    torch.manual_seed(0)
    config = GR00T_N1_5_Config.from_pretrained(EXPORT)
    model = GR00T_N1_5(config, local_model_path=EXPORT).float().eval()
    fx.eager_vision(model)
    missing, unexpected = load_model(model, weights, strict=True)
    print("\n(B) GR00T_N1_5(GR00T_N1_5_Config.from_pretrained(export)) + safetensors.torch.load_model(strict=True):")
    print("    missing keys:    %s" % sorted(missing))
    print("    unexpected keys: %s" % sorted(unexpected))
    depths = depths_of(model)
    expected = (2, pruning["depths"]["vlm"], pruning["depths"]["vl_self_attention"], pruning["depths"]["dit"])
    print("    built depths (vision, Qwen3, VL self-attention, DiT) %s, plateau-pruning.json %s; select_layer %d" % (
        depths, expected, model.backbone.select_layer))
    assert not missing and not unexpected and depths == expected

    # ---- 1 (A), (A'): Isaac-GR00T's own loader ----
    print("\n(A) GR00T_N1_5.from_pretrained(export) (gr00t_n1.py:200-234, unedited; transformers 4.51 loader):")
    with capture_transformers_warnings() as warnings, load_state_dict_assign():
        loaded = GR00T_N1_5.from_pretrained(EXPORT)
    as_loaded = {k: v.dtype for k, v in loaded.state_dict().items()}
    print("    dtypes as loaded: backbone %s, action_head %s (config.json torch_dtype %s)" % (
        sorted({str(d) for k, d in as_loaded.items() if k.startswith("backbone.")}),
        sorted({str(d) for k, d in as_loaded.items() if k.startswith("action_head.")}), config.torch_dtype))
    loaded = loaded.float().eval()
    fx.eager_vision(loaded)
    print("    transformers warnings: %s" % ([w.splitlines()[0] for w in warnings] or "none"))
    with load_state_dict_assign():
        _, info = PreTrainedModel.from_pretrained.__func__(GR00T_N1_5, EXPORT, local_model_path=EXPORT,
                                                           output_loading_info=True)
    print("(A') PreTrainedModel.from_pretrained(export, local_model_path=export, output_loading_info=True) (the "
          "super() call of gr00t_n1.py:224):")
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        print("    %-16s %s" % (key + ":", sorted(info[key])))
    with load_state_dict_assign():
        _, base_info = PreTrainedModel.from_pretrained.__func__(GR00T_N1_5, os.path.abspath(BASE),
                                                                local_model_path=BASE, output_loading_info=True)
    print("    control, the same call on the UNPRUNED base fixture ../gr00t/: missing %s, unexpected %s, "
          "mismatched %s" % (sorted(base_info["missing_keys"]), sorted(base_info["unexpected_keys"]),
                             sorted(base_info["mismatched_keys"])))
    lm = loaded.backbone.eagle_model.language_model
    lm_head = "backbone.eagle_model.language_model.lm_head.weight"
    print("    %s: the tie to embed_tokens is lost (same Parameter: %s); it feeds only Qwen3ForCausalLM's logits, "
          "which EagleBackbone discards (it reads hidden_states[select_layer], eagle_backbone.py:110)" % (
              lm_head, lm.lm_head.weight is lm.model.embed_tokens.weight))
    state_b = model.state_dict()
    state_a = loaded.state_dict()
    same_a = state_a.keys() == state_b.keys() and all(
        torch.equal(state_a[k], state_b[k].to(as_loaded[k]).to(state_a[k].dtype)) for k in state_b if k != lm_head)
    exact = [k for k in state_b if k != lm_head and torch.equal(state_a[k], state_b[k])]
    meta = [k for k, v in state_a.items() if v.is_meta]
    print("    depths %s; tensors left on meta %s; every tensor but lm_head == (B)'s rounded to its as-loaded dtype: %s "
          "(%d of %d bit-identical to the file, the rest are the Eagle tensors rounded to bfloat16)" % (
              depths_of(loaded), meta, same_a, len(exact), len(state_b) - 1))
    assert same_a and not meta and depths_of(loaded) == expected
    assert info["missing_keys"] == base_info["missing_keys"] == [lm_head], "from_pretrained: missing keys changed"
    assert not any(info[k] for k in ("unexpected_keys", "mismatched_keys", "error_msgs"))

    # ---- 2: the base fixture's forward on the base fixture's inputs ----
    with open(os.path.join(BASE, "inputs.json")) as f:
        meta_in = json.load(f)
    arrays = load_file(os.path.join(BASE, "inputs.safetensors"))
    tokens = meta_in["tokens"]
    times = meta_in["time"]
    assert times == fx.TIMES and meta_in["embodiment"] == fx.EMBODIMENT
    regen = fx.inputs()
    print("\ninputs: ../gr00t/inputs.* (fx.inputs() regenerates them exactly: %s)" % (
        regen[0] == tokens and all(torch.equal(regen[i][s], arrays["%s.%d" % (n, s)])
                                   for i, n in ((1, "images"), (2, "state"), (3, "noise"), (4, "actions"))
                                   for s in range(2))))
    depths_rec = fx.install_recorder(model)
    fx.install_recorder(loaded)

    def forward(m):
        return [fx.run_one(m, fm, tokens[s], arrays["images.%d" % s], arrays["state.%d" % s],
                           arrays["noise.%d" % s], arrays["actions.%d" % s], times[s]) for s in range(2)]

    per_sample = forward(model)
    names = fx.names(depths_rec)
    states = {n: torch.cat([fx.flat(r, n) for r in per_sample]).contiguous().float() for n in names}
    again = forward(loaded)
    print("(A) from_pretrained model (bfloat16-rounded Eagle weights, run in float32) vs (B), max rel per state: %s" % (
        ", ".join("%s %.1e" % (n, fx.rel(torch.cat([fx.flat(r, n) for r in again]), states[n])) for n in names)))

    os.makedirs(OUT, exist_ok=True)
    save_file(states, os.path.join(OUT, "hidden_states.safetensors"), metadata={"format": "pt"})
    print("\nhidden_states.safetensors (rows = sample 0 then sample 1):")
    for n in names:
        print("    %-22s %-10s max|x| %.6g" % (n, list(states[n].shape), states[n].abs().max().item()))
    for s, r in enumerate(per_sample):
        print("    sample %d: t=%.2f loss %.6g" % (s, times[s], r["loss"].item()))

    # ---- 3: self-checks against the base fixture ----
    print("\nself-checks vs ../gr00t/:")
    base_weights = load_file(os.path.join(BASE, "model.safetensors"))
    export_weights = load_file(weights)
    layer_map = {m: {int(k): v for k, v in mp.items()} for m, mp in pruning["layer_map"].items()}
    mapped = {n: base_name(n, layer_map) for n in export_weights}
    used = set(mapped.values())
    dropped = sorted(set(base_weights) - used)
    dropped_layers = sorted({layer_prefix(k) for k in dropped})
    print("  (1) export tensors == base tensors under layer_map: %s (%d tensors); base tensors not in the export: %d, "
          "all under %s" % (all(torch.equal(export_weights[n], base_weights[b]) for n, b in mapped.items()),
                            len(mapped), len(dropped), dropped_layers))
    base_states = load_file(os.path.join(BASE, "hidden_states.safetensors"))

    def compare(name, base):
        a, b = states[name], base_states[base]
        return torch.equal(a, b), fx.rel(a, b), (a - b).abs().max().item()

    print("  (2) unchanged part (pruned name == base name):")
    ok = True
    for n in [n for n in names if n.startswith("vision.")] + ["vlm.-1", "vlm.0", "vlm.1", "dit.-1"]:
        eq, r, d = compare(n, n)
        ok &= eq or r <= 1e-6
        print("      %-10s bit-identical %-5s max rel %.3g  max abs %.3g" % (n, eq, r, d))
    assert ok
    hs = per_sample[0]["eagle_hidden_states"]
    norm = model.backbone.eagle_model.language_model.model.norm
    with torch.no_grad():
        normed = norm(per_sample[0]["vlm.2"])
    print("  (3) select_layer %d: hidden_states has %d entries; [3] == norm(vlm.2) %s; backbone_features == "
          "hidden_states[3] %s" % (model.backbone.select_layer, len(hs), torch.equal(hs[3], normed),
                                   torch.equal(per_sample[0]["backbone_features"], hs[3])))
    blocks = model.action_head.model.transformer_blocks
    kinds = ["cross" if b.attn1.to_k.in_features != b.attn1.inner_dim else "self" for b in blocks]
    parity = ["self" if i % 2 == 1 and model.action_head.model.config.interleave_self_attention else "cross"
              for i in range(len(blocks))]
    print("  (4) DiT blocks (new index <- base index): %s; kind by weights %s; kind the forward gives by index "
          "parity (cross_attention_dit.py:281) %s; agree %s" % (
              ", ".join("%d<-%d" % (new, old) for old, new in sorted(layer_map["dit"].items(), key=lambda x: x[1])),
              kinds, parity, kinds == parity))
    assert kinds == parity
    print("  (5) the changed part vs the base state of the same base layer (VL features now come from the pruned "
          "LLM):")
    inverse = {m: {new: old for old, new in mp.items()} for m, mp in layer_map.items()}
    for n in names:
        if not n.startswith(REMOVED_STATE_NAMES) or n in ("vlm.-1", "vlm.0", "vlm.1", "dit.-1"):
            continue
        module, index = n.rsplit(".", 1)
        index = int(index)
        b = "%s.%d" % (module, inverse[module][index]) if index >= 0 else n
        eq, r, d = compare(n, b)
        rms = ((states[n] - base_states[b]).pow(2).mean().sqrt() / base_states[b].pow(2).mean().sqrt()).item()
        print("      %-22s vs base %-22s max rel %.4g  max abs %.4g  rel rms %.4g%s" % (
            n, b, r, d, rms, "  (bit-identical)" if eq else ""))

    # ---- 4: negative: the export's weights under the BASE config.json ----
    print("\nnegative: the export's model.safetensors with the BASE config.json (select_layer 4, 2 VL blocks, "
          "6 DiT blocks):")
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(os.path.join(BASE, "config.json"), os.path.join(folder, "config.json"))
        os.symlink(weights, os.path.join(folder, "model.safetensors"))
        wrong, _, miss, unexp = strict_build(GR00T_N1_5, GR00T_N1_5_Config, folder, weights)
        try:
            load_model(wrong, weights, strict=True)
            print("  strict load_model: NO ERROR (unexpected)")
        except RuntimeError as e:
            print("  strict load_model: RuntimeError (%s ...)" % str(e).splitlines()[0][:100])
        print("  missing %d tensors, all under %s; unexpected %d" % (len(miss), sorted({layer_prefix(k) for k in miss}),
                                                                      len(unexp)))
        with capture_transformers_warnings() as warnings, load_state_dict_assign():
            silent = GR00T_N1_5.from_pretrained(folder).float().eval()
        fx.eager_vision(silent)
        fx.install_recorder(silent)
        out = forward(silent)
        print("  GR00T_N1_5.from_pretrained: returns a model (depths %s); transformers logs %d warning(s): %s" % (
            depths_of(silent), len(warnings), [w[:110] + "..." for w in warnings]))
        print("  and it runs: loss %s (the missing layers hold torch.empty_like memory, modeling_utils.py:5214; "
              "GR00T_N1_5 has no _init_weights to fill them)" % ["%.4g" % r["loss"].item() for r in out])

    with open(os.path.join(OUT, "README.txt"), "w") as f:
        f.write(README)
    print("\nwritten to %s:" % os.path.abspath(OUT))
    for name in sorted(os.listdir(OUT)):
        print("  %-28s %d bytes" % (name, os.path.getsize(os.path.join(OUT, name))))
    shutil.rmtree(fx._MODULES, ignore_errors=True)


README = """\
gr00t-pruned: layer states of the Plateau-pruned tiny GR00T-N1.5, computed by the ORIGINAL Isaac-GR00T N1.5 code.

What: the tiny GR00T-N1.5 fixture of ../gr00t/ (Qwen3 cut at select_layer 4, 2 VL self-attention blocks, 6 DiT blocks
interleaving cross / self attention) pruned by Plateau: Qwen3 layer 2 removed (kept 0, 1, 3 -> 0, 1, 2), VL
self-attention block 1 removed (kept 0), DiT blocks 2 and 3 removed (kept 0, 1, 4, 5 -> 0, 1, 2, 3, so the
cross / self / cross / self pattern the DiT derives from the index is kept). The export (model.safetensors with the kept
layers renumbered; config.json with backbone_cfg.select_layer 3, vl_self_attention_cfg.num_layers 1,
diffusion_model_cfg.num_layers 4; plateau-pruning.json) loads UNEDITED: a fresh GR00T_N1_5 built from the export's
config.json + safetensors load_model(strict=True) reports no missing and no unexpected keys (these states come from
that model); GR00T_N1_5.from_pretrained builds the same depths and reports only the tied lm_head.weight as missing, as
it does for the unpruned base fixture.

hidden_states.safetensors (float32; rows of sample 0 then sample 1; the inputs are ../gr00t/inputs.json and
../gr00t/inputs.safetensors): vision.-1, vision.0, vision.1 [32, 144]; vlm.-1, vlm.0, vlm.1, vlm.2 [106, 64];
vl_self_attention.-1, vl_self_attention.0 [106, 64]; dit.-1, dit.0, dit.1, dit.2, dit.3 [98, 48]. Same names and meaning
as ../gr00t/hidden_states.safetensors (see parity/make_gr00t_fixture.py), numbered as in the pruned model.
vision.*, vlm.-1, vlm.0, vlm.1 and dit.-1 equal the base fixture's; the rest differ (the VL features now come from
norm(base layer 3 applied after base layer 1)).

How: parity/make_gr00t_pruned_fixture.py, run as
    . /tmp/realref/env-base.sh && "$PY" parity/make_gr00t_pruned_fixture.py /tmp/prunedfx/gr00t-export
It reuses make_gr00t_fixture.py's stubs, Eagle size patches (the repo-local Eagle config only: tiny widths, LLM built 6
deep as in the base fixture; EagleBackbone then keeps select_layer = 3 of those layers, read from the export's
config.json, as are the VL self-attention and DiT depths), recorder and forward (t and noise injected; each sample a
batch of 1, eval mode). It also shows that the export's weights under the BASE config.json fail a strict load, while
GR00T_N1_5.from_pretrained only logs a warning and runs with uninitialised layers, and that from_pretrained rounds
every Eagle tensor to bfloat16 (the repo-local Eagle config's torch_dtype), pruned or not.
"""


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(fx._MODULES, ignore_errors=True)
