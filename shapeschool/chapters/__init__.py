"""Each chapter's checks, one module per chapter, out of the learner's sight.

A chapter's set-up cell imports its module (``from shapeschool.chapters import ch01 as checks``)
and each check cell calls one exercise of it (``checks.encode(encode)``); see
``shapeschool.exercise``. Chapters whose checks still live in their notebooks have no module here.
"""
