"""A LangChain retriever over the hybrid search, for users' own chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class HybridLangChainRetriever(BaseRetriever):
    """`BaseRetriever` returning the assistant's passages as LangChain documents.

    Each document's metadata carries the citation id, document, locator, page and score.
    """

    assistant: Any
    k: int = 5
    documents: tuple[str, ...] = ()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.assistant.search(query, k=self.k, documents=self.documents)
        return [
            Document(
                page_content=p.text,
                metadata={
                    "citation_id": p.id,
                    "document": p.document,
                    "document_id": p.document_id,
                    "locator": p.locator,
                    "page": p.page,
                    "score": p.score,
                },
            )
            for p in passages
        ]
