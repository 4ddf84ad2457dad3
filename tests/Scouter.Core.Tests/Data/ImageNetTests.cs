using Scouter.Core.Data.Datasets;

namespace Scouter.Core.Tests.Data;

public sealed class ImageNetTests
{
    private static readonly string[] Wnids = ["n01440764", "n01443537", "n01484850"];

    // <root>/LOC_*.csv, <root>/ILSVRC/Data/CLS-LOC/{train,val}: the distribution's layout.
    private static string WriteImageNet(TempFolder folder, bool flatVal = true, bool mapping = true)
    {
        var clsLoc = folder.Folder("ILSVRC", "Data", "CLS-LOC");
        foreach (var wnid in Wnids)
        {
            for (var i = 0; i < 2; i++)
            {
                folder.WriteImage(Path.Combine(clsLoc, "train", wnid, $"{wnid}_{i}.JPEG"), 10, 8);
            }
        }

        folder.WriteText("LOC_train_solution.csv", "ImageId,PredictionString\nn01443537_1,n01443537 1 2 3 4 \n");
        if (flatVal)
        {
            for (var i = 1; i <= 4; i++)
            {
                folder.WriteImage(Path.Combine(clsLoc, "val", $"ILSVRC2012_val_{i:00000000}.JPEG"), 12, 9);
            }

            folder.WriteText("LOC_val_solution.csv",
                "ImageId,PredictionString\n" +
                "ILSVRC2012_val_00000001,n01484850 10 20 110 120 n01484850 5 6 7 8 \n" +
                "ILSVRC2012_val_00000002,n01440764 0 0 50 40 \n" +
                "ILSVRC2012_val_00000003,n09999999 1 1 2 2 \n" +
                "ILSVRC2012_val_00000004,n01443537 3 4 5 6 \n");
        }
        else
        {
            foreach (var wnid in Wnids)
            {
                folder.WriteImage(Path.Combine(clsLoc, "val", wnid, $"{wnid}_val.JPEG"), 12, 9);
            }
        }

        if (mapping)
        {
            folder.WriteText("LOC_synset_mapping.txt", "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\nn01484850 great white shark\n");
        }

        return clsLoc;
    }

    [Fact]
    public void Load_FlatVal_LabelsAndBoxesFromTheSolutionFileThreeLevelsUp()
    {
        using var folder = new TempFolder();
        var root = WriteImageNet(folder);

        var pair = ImageNet.Load(root + "/"); // the official --dataset_dir ends with a slash

        pair.ClassNames.Should().Equal("tench, Tinca tinca", "goldfish, Carassius auratus", "great white shark");
        pair.Train.Count.Should().Be(6);
        Enumerable.Range(0, 6).Select(pair.Train.GetLabel).Should().Equal(0, 0, 1, 1, 2, 2);
        pair.Train.GetBoxes(3).Should().Equal(new BoundingBox(1, 2, 3, 4)); // n01443537_1 from LOC_train_solution.csv
        pair.Train.GetBoxes(0).Should().BeEmpty();

        // val image 3 has a synset outside train/: left out, never guessed.
        var val = (FileImageDataset)pair.Val;
        val.Records.Select(r => Path.GetFileNameWithoutExtension(r.Path)).Should().Equal("ILSVRC2012_val_00000001", "ILSVRC2012_val_00000002", "ILSVRC2012_val_00000004");
        val.Records.Select(r => r.Label).Should().Equal(2, 0, 1);
        val.GetBoxes(0).Should().Equal(new BoundingBox(10, 20, 110, 120), new BoundingBox(5, 6, 7, 8));
    }

    [Fact]
    public void Load_ValInClassFolders_AsTheOfficialCodeExpects()
    {
        using var folder = new TempFolder();
        var root = WriteImageNet(folder, flatVal: false, mapping: false);
        var pair = ImageNet.Load(root, numClasses: 2);
        pair.ClassNames.Should().Equal("n01440764", "n01443537");
        pair.Val.Count.Should().Be(2);
        Enumerable.Range(0, 2).Select(pair.Val.GetLabel).Should().Equal(0, 1);
    }

    [Fact]
    public void Load_FirstNumClassesSortedWnids_FilterTheFlatValToo()
    {
        using var folder = new TempFolder();
        var root = WriteImageNet(folder);
        var pair = ImageNet.Load(root, numClasses: 1);
        pair.Train.Count.Should().Be(2);
        pair.Val.Count.Should().Be(1);
        pair.Val.GetLabel(0).Should().Be(0);
    }

    [Fact]
    public void Load_FlatValWithoutSolution_SaysWhereItLooked()
    {
        using var folder = new TempFolder();
        var root = WriteImageNet(folder);
        File.Delete(folder.PathOf("LOC_val_solution.csv"));
        var act = () => ImageNet.Load(root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*flat*LOC_val_solution.csv*three folders above*");
    }

    [Fact]
    public void Load_MalformedSolutionLine_QuotesIt()
    {
        using var folder = new TempFolder();
        var root = WriteImageNet(folder);
        folder.WriteText("LOC_val_solution.csv", "ImageId,PredictionString\nILSVRC2012_val_00000001,n01484850 10 20\n");
        var act = () => ImageNet.Load(root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*line 2*n01484850 10 20*wnid x1 y1 x2 y2*");
    }

    [Fact]
    public void Load_MissingTrainFolder_NamesItAndTheLayout()
    {
        using var folder = new TempFolder();
        var act = () => ImageNet.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*train' does not exist*ILSVRC/Data/CLS-LOC*");
    }

    [Fact]
    public void Load_TooManyClasses_SaysHowManyThereAre()
    {
        using var folder = new TempFolder();
        var root = WriteImageNet(folder);
        var act = () => ImageNet.Load(root, numClasses: 1000);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*num_classes = 1000*only 3 classes*n01440764*");
    }
}
