"""tools/misc/download_checkpoint.py: every model-index entry either downloads (loopback
server) or says where its weights are."""
import os
import os.path as osp
import shutil

import pytest

from helpers import REPO, load_tool
from helpers.http_server import FileServer


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/misc/download_checkpoint.py')


def test_entries_without_a_url_say_where_the_weights_are(tool, capsys):
    assert tool.main(['mobilevitv3-s_3rdparty_in1k']) == 2
    err = capsys.readouterr().err
    assert 'mobilevitv3-s_3rdparty_in1k has no direct download URL' in err
    assert 'https://github.com/micronDLA/MobileViTv3/releases' in err
    assert tool.main(['deeplabv3_mobilevitv3-0.5_ade20k-512x512']) == 2
    err = capsys.readouterr().err
    assert 'as zipped training folders' in err and 'mlcvnets_seg2mmseg.py' in err
    assert 'reads it from checkpoints/mobilevitv3_ade20k_0_5_0' in err
    assert tool.main(['--list']) == 0
    out = capsys.readouterr().out
    assert 'mobilevit-xxs_3rdparty_in1k' in out and ' URL' in out and 'no URL' in out
    assert tool.main(['mobilevitv3-s_3rdparty_in1']) == 2
    assert "did you mean ['mobilevitv3-s_3rdparty_in1k'" in capsys.readouterr().err


def point_entry_at(metafile, entry, url):
    """Set the top-level ``Weights:`` of one metafile entry."""
    text = metafile.read_text()
    start = text.index('    Weights: ', text.index(f'Name: {entry}'))
    end = text.index('\n', start)
    metafile.write_text(text[:start] + f'    Weights: {url}' + text[end:])


def test_an_entry_with_a_url_downloads(tool, tmp_path, capsys):
    root = tmp_path / 'root'
    shutil.copytree(osp.join(REPO, 'configs'), root / 'configs')
    shutil.copy(osp.join(REPO, 'model-index.yml'), root)
    metafile = root / 'configs' / 'mobilevit' / 'metafile.yml'
    served = tmp_path / 'served'
    served.mkdir()
    wrong = 'mobilevit-xxsmall_3rdparty_in1k_20221018-77835605.pth'  # sha256 prefix
    good = 'mobilevit-xxs_test.pth'
    for name in (wrong, good):
        (served / name).write_bytes(os.urandom(2048))
    dest = tmp_path / 'dest'
    args = ['mobilevit-xxs_3rdparty_in1k', '--root', str(root), '--dest', str(dest)]
    with FileServer(str(served)) as server:
        point_entry_at(metafile, 'mobilevit-xxs_3rdparty_in1k', server.url(wrong))
        # the bytes do not match the name's sha256 prefix: refused, nothing left behind
        assert tool.main(args) == 1
        assert 'sha256' in capsys.readouterr().err
        assert not os.listdir(dest)
        point_entry_at(metafile, 'mobilevit-xxs_3rdparty_in1k', server.url(good))
        assert tool.main(args) == 0
    assert (dest / good).read_bytes() == (served / good).read_bytes()
    assert f'saved {dest / good}' in capsys.readouterr().out
