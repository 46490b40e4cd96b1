//! Random text both vendors' data use: names (Chinese, Latin, device-style) and strings
//! over an alphabet.

use crate::rng::SplitMix64;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "叶",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "大红", "小明", "建国", "晓燕",
];
const LATIN_FIRST: &[&str] = &[
    "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Iris", "Jack", "Kevin",
    "Lily", "Mia", "Nate",
];
const LATIN_LAST: &[&str] = &[
    "Wang", "Li", "Zhang", "Chen", "Liu", "Lin", "Smith", "Ye", "Zhou",
];

/// `n` random characters of `alphabet`.
pub(crate) fn random_chars(rng: &mut SplitMix64, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(rng.pick(alphabet)))
        .collect::<String>()
}

/// A display name: Chinese, Latin, or a device-style name.
pub(crate) fn random_name(rng: &mut SplitMix64) -> String {
    match rng.below(10) {
        0..=4 => format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
        5..=7 => format!("{} {}", rng.pick(LATIN_FIRST), rng.pick(LATIN_LAST)),
        8 => format!("{}{}的 iPhone", rng.pick(SURNAMES), rng.pick(GIVEN)),
        _ => format!("{}'s MacBook", rng.pick(LATIN_FIRST)),
    }
}

/// A Chinese name.
pub(crate) fn chinese_name(rng: &mut SplitMix64) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}
