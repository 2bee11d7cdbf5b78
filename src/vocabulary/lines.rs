//! The one line indexer: byte offsets to 1-based lines and columns.
//!
//! In: a text. Out: lines and columns for offsets into it, by binary search over the line
//! starts (built once, so many lookups never rescan the text).

/// Line starts of a text, for many offset -> line lookups without rescanning the text.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|p| p + 1));
        Self { text, starts }
    }

    /// The 1-based line holding byte `offset` (offsets past the end give the last line).
    pub fn line_of(&self, offset: usize) -> u32 {
        self.starts.partition_point(|start| *start <= offset).max(1) as u32
    }

    /// The 1-based (line, column) of byte `offset`; the column counts bytes.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset) as usize;
        let column = offset - self.starts[line - 1] + 1;
        (line as u32, column as u32)
    }

    /// The offset of the next occurrence of `needle` at or after `from`.
    pub fn find(&self, needle: &str, from: usize) -> Option<usize> {
        let from = from.min(self.text.len());
        self.text.get(from..)?.find(needle).map(|i| i + from)
    }

    /// Offsets of every line that equals `header` once trimmed (e.g. `[[package]]`), in order.
    pub fn header_offsets(&self, header: &str) -> Vec<usize> {
        self.starts
            .iter()
            .filter(|start| {
                let rest = &self.text[**start..];
                let line = rest.split('\n').next().unwrap_or_default();
                line.trim() == header
            })
            .copied()
            .collect()
    }
}

/// The 1-based (line, column) of one byte offset in `text`, for a single lookup (an error
/// position); use a [`LineIndex`] for many.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = offset - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (line as u32, column as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_agree_with_the_single_lookup() {
        let text = "a\nbb\n[[package]]\nc";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line_column(offset),
                line_column(text, offset),
                "{offset}"
            );
        }
        assert_eq!(index.line_of(0), 1);
        assert_eq!(index.line_of(2), 2);
        assert_eq!(index.line_of(5), 3);
        assert_eq!(index.header_offsets("[[package]]"), vec![5]);
        assert_eq!(index.find("bb", 0), Some(2));
        assert_eq!(index.find("bb", 3), None);
    }
}
