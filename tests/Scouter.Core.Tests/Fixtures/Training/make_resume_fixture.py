"""Cross-framework resume fixture for Scouter.Core's Trainer.

PyTorch (Debian's python3-torch 1.13) trains a tiny model with the official SlotModel layout
(backbone registered first, then conv1x1, slot with its unused to_q, position_emb) for one epoch of
one batch with AdamW (lr 1e-3, PyTorch's default weight decay 0.01) and StepLR, exactly as the official
train.py does, and writes an official checkpoint (model, optimizer, lr_scheduler, epoch, args).
It then trains one more epoch and records the parameters. The C# test resumes from the checkpoint
with its own Trainer and must reach the same parameters.

Run: /usr/bin/python3 make_resume_fixture.py
"""
import json
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
sys.path.insert(0, os.path.join(HERE, '..', 'Interop'))
from make_fixtures import ScouterHead  # noqa: E402  (the official head re-implementation)
from make_interop_fixtures import TinyBackbone, official_args  # noqa: E402

torch.set_num_threads(1)


class OfficialTinySlotModel(nn.Module):
    """Registration order of the official SlotModel: backbone, conv1x1, slot, position_emb."""

    def __init__(self, args):
        super().__init__()
        head = ScouterHead(args.channel, args.hidden_dim, args.num_classes, int(args.slots_per_class),
                           args.loss_status, float(args.power), args.to_k_layer, float(args.lambda_value))
        self.backbone = TinyBackbone(False, args.num_classes)
        self.conv1x1 = head.conv1x1
        self.slot = head.slot
        self.position_emb = head.position_emb
        self.channel = head.channel
        self.slots_per_class = head.slots_per_class
        self.lambda_value = head.lambda_value

    def forward(self, x, target):
        return ScouterHead.forward(self, self.backbone(x), target)


def main():
    torch.manual_seed(31337)
    args = official_args(True)
    args.lr = 1e-3
    model = OfficialTinySlotModel(args)
    names = [n for n, _ in model.named_parameters()]
    assert names.index('slot.to_q.0.weight') == names.index('slot.initial_slots') + 1, names

    images = torch.randn(4, 3, 10, 10)
    labels = torch.tensor([2, 0, 1, 2])
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.lr_drop)

    def one_epoch():
        model.train()
        optimizer.zero_grad()
        loss = model(images, labels)['loss']
        loss.backward()
        optimizer.step()
        scheduler.step()
        return float(loss)

    first_loss = one_epoch()
    checkpoint = {'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
                  'lr_scheduler': scheduler.state_dict(), 'epoch': 0, 'args': args}
    torch.save(checkpoint, os.path.join(HERE, 'resume_epoch0.pth'))
    assert 7 not in optimizer.state_dict()['state'] and 8 not in optimizer.state_dict()['state'], 'to_q gets no state'

    second_loss = one_epoch()
    expected = {
        'generator': 'make_resume_fixture.py',
        'torch_version': torch.__version__,
        'images': {'shape': list(images.shape), 'values': images.reshape(-1).tolist()},
        'labels': labels.tolist(),
        'losses': [first_loss, second_loss],
        'parameters_after_epoch1': {n: {'shape': list(p.shape), 'values': p.detach().reshape(-1).tolist()}
                                    for n, p in model.named_parameters() if not n.startswith('slot.to_q.')},
    }
    with open(os.path.join(HERE, 'resume_expected.json'), 'w') as f:
        json.dump(expected, f)
    print('parameter order:', names)
    print('losses:', first_loss, second_loss)


if __name__ == '__main__':
    main()
