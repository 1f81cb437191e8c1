"""Chapter 5: plausible fixes for each fix-me cell."""
from fixes import right, wrong

FIXES = {
    "conv_out_len": [
        wrong("dilation left out", "return (length + 2 * padding - kernel) // stride + 1", hint="CONV_LENGTH"),
        wrong("true division", "return (length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1", hint="CONV_TYPE"),
        wrong("rounded up", "return math.ceil((length + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1",
              hint="CONV_LENGTH"),
        wrong("dilation times the whole kernel", "return (length + 2 * padding - dilation * kernel) // stride + 1",
              hint="CONV_LENGTH"),
        right("math.floor", "return math.floor((length + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1",
              because="math.floor rounds down, as // does, and gives an int in Python 3"),
        right("counting window starts", "return len(range(0, length + 2 * padding - dilation * (kernel - 1), stride))",
              because="one output per start, stride apart, that leaves the whole dilated window inside the "
                      "padded input"),
    ],
    "pool_out_len": [
        wrong("always rounded up", "return math.ceil((length - kernel) / stride) + 1", hint="POOL_FLOOR"),
        wrong("ceil_mode without the last-window rule", '''
            if ceil_mode:
                return math.ceil((length - kernel) / stride) + 1
            return (length - kernel) // stride + 1
            ''', hint="POOL_CEIL"),
        wrong("last-window rule with > instead of >=", '''
            if not ceil_mode:
                return (length - kernel) // stride + 1
            out = math.ceil((length - kernel) / stride) + 1
            if (out - 1) * stride > length:
                out -= 1
            return out
            ''', hint="POOL_CEIL"),
        wrong("last window dropped when it overhangs the end", '''
            out = math.ceil((length - kernel) / stride) + 1 if ceil_mode else (length - kernel) // stride + 1
            if (out - 1) * stride + kernel > length:
                out -= 1
            return out
            ''', hint="POOL_CEIL"),
        right("integer ceiling", '''
            if not ceil_mode:
                return (length - kernel) // stride + 1
            out = -(-(length - kernel) // stride) + 1
            if (out - 1) * stride >= length:
                out -= 1
            return out
            ''', because="-(-a // b) rounds a / b up in whole numbers, with no float on the way"),
        right("counting window starts", '''
            return sum(1 for start in range(0, length, stride)
                       if start + kernel <= length or (ceil_mode and start <= length - kernel + stride - 1))
            ''', because="one window per start inside the input that fits, or, with ceil_mode, hangs over "
                         "the end by less than a stride"),
    ],
    "small_cnn": [
        wrong("hard-coded to the example's 14", "side = 14", hint="SMALL_CNN_RAISED"),
        wrong("halved, rounding up", "side = (size + 1) // 2", hint="SMALL_CNN_RAISED"),
        wrong("true division", "side = size / 2", hint="SMALL_CNN_RAISED"),
        wrong("the convolution assumed to shrink the image", "side = size - 2", hint="SMALL_CNN_RAISED"),
        right("math.floor", "side = math.floor(size / 2)",
              because="math.floor rounds down, as MaxPool2d(2) does, and gives an int"),
        right("LazyLinear", '''
            class SmallCNN(nn.Module):
                def __init__(self, in_channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(in_channels, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    self.head = nn.LazyLinear(classes)

                def forward(self, images):
                    return self.head(self.features(images).flatten(1))
            ''', cell=True, because="nn.LazyLinear learns in_features from the first batch: no size to compute"),
        right("a dummy forward pass", '''
            class SmallCNN(nn.Module):
                def __init__(self, in_channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(in_channels, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    with torch.no_grad():
                        n = self.features(torch.zeros(1, in_channels, size, size)).numel()
                    self.head = nn.Linear(n, classes)

                def forward(self, images):
                    return self.head(self.features(images).flatten(1))
            ''', cell=True, because="one image of zeros through self.features measures the flattened size: "
                                    "no formula to get wrong"),
    ],
    "per_example_features": [
        wrong("squeeze, then flatten", "return maps.squeeze().flatten(1)", hint="FLAT_SHAPE"),
        wrong("hard-coded to the example's 48", "return maps.view(-1, 48)", hint="FLAT_RAISED"),
        wrong("flattened from dimension 2", "return torch.flatten(maps, start_dim=2)", hint="FLAT_SHAPE"),
        wrong("channels last, then flattened", "return maps.permute(0, 2, 3, 1).flatten(1)", hint="FLAT_VALUES"),
        right("view", "return maps.view(maps.shape[0], -1)",
              because="the batch size is given and -1 stands for C * H * W: nothing is guessed"),
        right("nn.Flatten", "return nn.Flatten()(maps)",
              because="nn.Flatten starts at dim 1 by default, so the batch axis stays"),
        right("reshape with len", "return maps.reshape(len(maps), -1)",
              because="len of a tensor is the size of its first axis, the batch"),
    ],
    "text_cnn": [
        wrong("view to (B, E, T)", "h = self.conv(x.view(x.shape[0], x.shape[2], x.shape[1]))", hint="TEXT_VALUES"),
        wrong("reshape to (B, E, T)", "h = self.conv(x.reshape(x.shape[0], x.shape[2], -1))", hint="TEXT_VALUES"),
        wrong("max over filters instead of time", '''
            h = self.conv(x.transpose(1, 2))
            return h.max(dim=1).values
            ''', hint="TEXT_SHAPE"),
        wrong("mean over time instead of max", '''
            h = self.conv(x.transpose(1, 2))
            return h.mean(dim=2)
            ''', hint="TEXT_VALUES"),
        right("permute", "h = self.conv(x.permute(0, 2, 1))",
              because="permute(0, 2, 1) swaps the last two axes, as transpose(1, 2) does"),
        right("movedim", "h = self.conv(x.movedim(2, 1))",
              because="movedim(2, 1) takes the embedding axis to dim 1 and keeps the others in order"),
        right("contiguous copy", "h = self.conv(x.transpose(1, 2).contiguous())"),
    ],
    "to_channels_first": [
        # no hint names this: NaN placeholders, nothing computed (the check's own NaN message replaces any hint)
        wrong("all NaN, of the right shape", "return torch.full((B, C, H, W), float('nan'), device=images.device)", hint=""),
        wrong("height and width swapped", "return images.permute(0, 3, 2, 1)", hint="CHANNELS_SHAPE"),
        wrong("transpose(1, 3)", "return images.transpose(1, 3)", hint="CHANNELS_SHAPE"),
        wrong("view", "return images.view(B, C, H, W)", hint="CHANNELS_VALUES"),
        wrong("channels in front of the batch", "return images.permute(3, 0, 1, 2)", hint="CHANNELS_SHAPE"),
        right("movedim", "return images.movedim(3, 1)",
              because="movedim(3, 1) takes the channel axis to dim 1 and keeps the others in order"),
        right("two transposes", "return images.transpose(1, 3).transpose(2, 3)",
              because="(B, H, W, C) to (B, C, W, H), then height and width swapped back: (B, C, H, W)"),
        right("stacking the channels", "return torch.stack([images[..., c] for c in range(C)], dim=1)",
              because="each channel picked out as a (B, H, W) image and stacked at dim 1: slower, plainly right"),
    ],
    "photo_classifier": [
        wrong("only the flatten fixed: photos still reshaped, head still sized size // 4", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = size // 4
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    B, H, W, C = photos.shape
                    x = self.features(photos.reshape(B, C, H, W))
                    return self.head(x.flatten(1))
            ''', hint="PHOTO_VALUES"),
        wrong("flatten and channels fixed, head still sized size // 4 (right for 28, one short when size % 4 == 3)", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = size // 4
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2))
                    return self.head(x.flatten(1))
            ''', hint="PHOTO_RAISED"),
        wrong("flatten and head fixed, photos still reshaped to (B, C, H, W)", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = ((size - 1) // 2 + 1) // 2
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    B, H, W, C = photos.shape
                    x = self.features(photos.reshape(B, C, H, W))
                    return self.head(x.flatten(1))
            ''', hint="PHOTO_VALUES"),
        wrong("channels and head fixed, still torch.flatten(x)", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = ((size - 1) // 2 + 1) // 2
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2))
                    return self.head(torch.flatten(x))
            ''', hint="PHOTO_RAISED"),
        wrong("all three, but the channels moved with transpose(1, 3): height and width swapped", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = ((size - 1) // 2 + 1) // 2
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.transpose(1, 3))
                    return self.head(x.flatten(1))
            ''', hint="PHOTO_VALUES"),
        wrong("all three, but the head sized math.ceil(size / 4)", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = math.ceil(size / 4)
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2))
                    return self.head(x.flatten(1))
            ''', hint="PHOTO_RAISED"),
        wrong("all three, but the side halved twice rounding down, size // 2 // 2", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = size // 2 // 2
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2))
                    return self.head(x.flatten(1))
            ''', hint="PHOTO_RAISED"),
        right("the side as one formula, with movedim and nn.Flatten", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = (size + 1) // 4
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.movedim(3, 1))
                    return self.head(nn.Flatten()(x))
            ''', because="a stride-2 convolution with padding 1 halves rounding up and the pool halves rounding "
                         "down: together (size + 1) // 4; movedim(3, 1) takes the channels to dim 1 and keeps "
                         "height before width"),
        right("a LazyLinear head", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    self.head = nn.LazyLinear(classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2))
                    return self.head(x.flatten(1))
            ''', because="nn.LazyLinear takes in_features from the first batch, so there is no side to compute"),
        right("one blank photo through the features to measure them", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    with torch.no_grad():
                        n = self.features(torch.zeros(1, channels, size, size)).numel()
                    self.head = nn.Linear(n, classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2))
                    return self.head(x.flatten(1))
            ''', because="self.features run on one photo of zeros gives the flattened size the head needs, "
                         "whatever the rounding"),
        right("a contiguous copy, flattened with reshape(x.shape[0], -1)", '''
            class PhotoClassifier(nn.Module):
                def __init__(self, channels, size, classes):
                    super().__init__()
                    self.features = nn.Sequential(nn.Conv2d(channels, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                    side = ((size - 1) // 2 + 1) // 2
                    self.head = nn.Linear(8 * side * side, classes)

                def forward(self, photos):
                    x = self.features(photos.permute(0, 3, 1, 2).contiguous())
                    return self.head(x.reshape(x.shape[0], -1))
            '''),
    ],
}
