using Scouter.Core.Data.Datasets;
using Scouter.Core.Explanations.Cam;

namespace Scouter.Cli.Arguments;

/// <summary>
/// Every flag the CLI accepts: the official <c>train.py</c>/<c>test.py</c>/<c>torchcam_vis.py</c> flags with their
/// official defaults (docs/official-implementation.md §5), then ours. Where our default differs from the official one the help says why.
/// </summary>
internal static class FlagTable
{
    public static IReadOnlyList<FlagSpec> All { get; } =
    [
        new("model", FlagKind.Text, "resnet18", "backbone name: resnet18/34/50/101/152, resnext*, wide_resnet*, resnest26d, resnest50d, or onnx:PATH (an ONNX CNN, docs/onnx.md)"),
        new("dataset", FlagKind.Text, "Synthetic", $"one of the registered data sets, {string.Join(", ", DatasetRegistry.Default.Names)} (official default MNIST; ours needs no files; SyntheticScenes: two or three shapes per image, the label is the largest)"),
        new("channel", FlagKind.Integer, "512", "backbone output channels (512 for resnet18/34, 2048 for resnet50 and ResNeSt)"),
        new("lr", FlagKind.Number, "0.0001", "AdamW learning rate"),
        new("lr_drop", FlagKind.Integer, "70", "epochs between learning-rate drops (StepLR, gamma 0.1)"),
        new("batch_size", FlagKind.Integer, "64", "images per batch"),
        new("weight_decay", FlagKind.Number, "0.0001", "accepted for compatibility; the official code never passes it, so AdamW's 0.01 applies (as here)"),
        new("epochs", FlagKind.Integer, "10", "training epochs"),
        new("num_classes", FlagKind.IntegerList, "10", "number of classes; a comma list runs a sweep"),
        new("img_size", FlagKind.Integer, "260", "images are resized to img_size x img_size; the feature map follows"),
        new("pre_trained", FlagKind.Boolean, "true", "start the backbone from ImageNet weights found in --pre_dir"),
        new("use_slot", FlagKind.Boolean, "true", "xSlot head (true) or the FC baseline (false)"),
        new("use_pre", FlagKind.Boolean, "false", "initialise the backbone from this data set's FC checkpoint ({dataset}_no_slot_checkpoint.pth)"),
        new("aug", FlagKind.Boolean, "false", "training augmentation (flips, affine, blur)"),
        new("grad", FlagKind.Boolean, "false", "compute CAM-family baselines (torchcam_vis.py)"),
        new("grad_min_level", FlagKind.Number, "0", "floor applied to normalised baseline maps"),
        new("iterated_evaluation_num", FlagKind.Integer, "1", "repeat each sweep setting this many times"),
        new("cal_area_size", FlagKind.Boolean, "false", "report the explanation area size (test.py)"),
        new("thop", FlagKind.Boolean, "false", "print trainable parameters and FLOPs for one 3x260x260 image, then exit"),
        new("loss_status", FlagKind.Integer, "1", "1 for positive SCOUTER, -1 for negative SCOUTER"),
        new("freeze_layers", FlagKind.Integer, "2", "with pretrained weights, freeze all but the last 4-k of layer4..layer1"),
        new("hidden_dim", FlagKind.Integer, "64", "slot dimension (even)"),
        new("slots_per_class", FlagKind.IntegerList, "3", "slots per class; a comma list runs a sweep"),
        new("power", FlagKind.NumberList, "2", "exponent of the area term; a comma list runs a sweep"),
        new("to_k_layer", FlagKind.Integer, "1", "Linear layers in the key projection"),
        new("lambda_value", FlagKind.NumberList, "1.", "weight of the area term; a comma list runs a sweep"),
        new("vis", FlagKind.Boolean, "false", "write explanation images (test.py)"),
        new("vis_id", FlagKind.Integer, "0", "which image of the batch to explain"),
        new("dataset_dir", FlagKind.Text, null, "data set root, as the seed writes it (e.g. ../data/bird_200/CUB_200_2011/CUB_200_2011/)"),
        new("output_dir", FlagKind.Text, "saved_model/", "where checkpoints and run outputs go; empty for none"),
        new("pre_dir", FlagKind.Text, "pre_model/", "where ImageNet weights are looked up (<model>.pth or <model>.safetensors)"),
        new("device", FlagKind.Text, "auto", "auto, cpu, cuda or cuda:N (official default cuda; auto falls back to the CPU)"),
        new("num_workers", FlagKind.Integer, "4", "data-loading threads"),
        new("start_epoch", FlagKind.Integer, "0", "first epoch (set by --resume)"),
        new("resume", FlagKind.Text, "false", "true to continue from this run's checkpoint in --output_dir, or a checkpoint path"),
        new("world_size", FlagKind.Integer, "1", "train: data-parallel replicas in this process (cuda:0..N-1, or N CPU replicas without CUDA); export-official: DDP processes"),
        new("local_rank", FlagKind.Integer, null, "accepted for torch.distributed.launch compatibility"),
        new("dist_url", FlagKind.Text, "env://", "accepted for compatibility"),
        new("seed", FlagKind.Integer, "42", "seed of initialisation, data order and augmentation", Official: false),
        new("output_stride", FlagKind.Integer, "32", "backbone output stride: 32 (the official architecture), 16 or 8 (the last stages dilate instead of downsampling: 2x or 4x finer maps, slower; same weights); explain/cam/evaluate take it from the checkpoint", Official: false),
        new("devices", FlagKind.Text, null, "train: data-parallel device list, e.g. cuda:0,cuda:1 or cpu,cpu (overrides --device)", Official: false),
        new("tensorboard", FlagKind.Text, null, "train: write TensorBoard event files (losses, accuracies, learning rate, area term, explanations) under this folder, one subfolder per run", Official: false),
        new("threads", FlagKind.Integer, null, "LibTorch threads, and ONNX Runtime's with explain --engine onnxruntime (default: physical cores)", Official: false),
        new("checkpoint", FlagKind.Text, null, "explain/cam/evaluate: a checkpoint of ours or an official PyTorch one, whose settings apply to every flag not given; export-official: the file to write", Official: false),
        new("image", FlagKind.Text, null, "explain: explain this image instead of the first validation image", Official: false),
        new("json", FlagKind.Text, null, "explain/evaluate: also write the result as JSON to this path", Official: false),
        new("steps", FlagKind.Integer, "20", "bench: timed steps", Official: false),
        new("channels_last", FlagKind.Boolean, null, "channels-last convolution weights; unset: chosen for this machine and model (ResNet family, images of 128 px or more, CPUs whose LibTorch kernels are AVX-512; for explain, which only runs forward passes, the ResNet family at any size and instruction set; never where channels-last convolutions fail their self-check; docs/performance.md); true or false forces it", Official: false),
        new("reuse_freed_memory", FlagKind.Boolean, null, "keep freed native memory for reuse instead of returning it to the kernel (fewer page faults per step; resident memory stays at the run's peak); unset: on under Linux", Official: false),
        new("synthetic_train", FlagKind.Integer, "5000", "Synthetic, SyntheticScenes: training images to generate", Official: false),
        new("synthetic_val", FlagKind.Integer, "1000", "Synthetic, SyntheticScenes: validation images to generate", Official: false),
        new("baselines", FlagKind.Text, "gradcam", $"evaluate: baseline methods on the FC model (comma list of the registered methods, {string.Join(", ", SaliencyMethodRegistry.Default.Names)}; 'all'; 'none')", Official: false),
        new("metrics", FlagKind.Text, "all", "evaluate: metrics besides accuracy and area size (comma list of precision, pointing, iauc, dauc, infidelity, sensitivity, class_precision, class_pointing; 'all'; 'none'); fewer is faster", Official: false),
        new("pointing_tolerance", FlagKind.Number, "15", "evaluate: pointing-game tolerance in pixels of the model input (15 as published for ImageNet-sized images; a quarter of a 64 px image)", Official: false),
        new("explained_class", FlagKind.Text, null, "evaluate: which class to explain: label, predicted or least_likely (default: label for SCOUTER+, least_likely for SCOUTER-)", Official: false),
        new("cam_samples", FlagKind.Integer, null, "cam/evaluate: sample count of SS-CAM, IS-CAM, RISE and I-GOS (default: each method's published one)", Official: false),
        new("max_images", FlagKind.Integer, "256", "evaluate: validation images to score (0 for all)", Official: false),
        new("jsonl", FlagKind.Text, null, "explain: explain every image of --split (or --image_dir) into this JSON Lines file, one line per image; rerunning continues it", Official: false),
        new("split", FlagKind.Text, "val", "explain --jsonl: the split to explain, val or train", Official: false),
        new("image_dir", FlagKind.Text, null, "explain --jsonl: explain every .jpg/.jpeg/.png under this folder instead of a split", Official: false),
        new("top_k", FlagKind.Integer, "1", "explain --jsonl: classes explained per image (most likely for SCOUTER+, least likely for SCOUTER-)", Official: false),
        new("map_size", FlagKind.Integer, null, "explain --jsonl: resize the written maps to this side (default: the feature map's resolution)", Official: false),
        new("overlays", FlagKind.Text, null, "explain --jsonl: also draw every explained map over its image as a PNG in this folder", Official: false),
        new("overwrite", FlagKind.Boolean, "false", "train: replace the earlier run's checkpoints in --output_dir; explain --jsonl: start the file afresh; export-official: replace an existing --checkpoint file; export-onnx: replace an existing --output file", Official: false),
        new("fold_batchnorm", FlagKind.Boolean, "true", "explain --jsonl, TorchSharp engine: fold the backbone's batch norms into its convolutions for the run (same results up to float rounding, fewer passes over the activations)", Official: false),
        new("engine", FlagKind.Text, "torchsharp", "explain --jsonl: torchsharp (the model itself, any device) or onnxruntime (the model exported to ONNX in memory and run by ONNX Runtime on the CPU with --threads intra-op threads; same records within float rounding, docs/bulk-explanation.md)", Official: false),
        new("max_image_pixels", FlagKind.Integer, "89478485", "images whose header declares more pixels are refused before decoding (Pillow's limit; 0 for none)", Official: false),
        new("verbose", FlagKind.Switch, "false", "print the stack trace of an error", Official: false),
        new("output", FlagKind.Text, null, "export-onnx: the ONNX file to write", Official: false),
        new("upsampled_maps", FlagKind.Boolean, "true", "export-onnx: also output the class maps normalised and upsampled to the input size", Official: false),
        new("onnx_output", FlagKind.Text, null, "--model onnx:PATH: the graph value the feature map is cut at (default: the input of the last global/average pooling)", Official: false),
        new("onnx_input", FlagKind.Text, "normalized", "--model onnx:PATH: what the graph expects: normalized (the data set's normalised images) or mlnet_resnet (BGR 0-255 minus the mean, ML.NET's ResNet-18)", Official: false),
    ];

    private static readonly Dictionary<string, FlagSpec> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out FlagSpec spec) => ByName.TryGetValue(name, out spec!);
}
