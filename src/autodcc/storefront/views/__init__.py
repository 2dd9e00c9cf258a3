"""The store's views: catalogue pages, calculator, recommendation, test-drive booking, enquiry."""
