"""The course as data: lessons, quizzes and companions read from their files, checked, and made safe to show."""
