from minzheng.core.masking import mask_account, mask_phone


def test_mask_phone() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("024-23456789") == "********6789"
    assert mask_phone("") == ""
    assert mask_phone("123") == "***"


def test_mask_account() -> None:
    assert mask_account("6222021234567890123") == "***************0123"
