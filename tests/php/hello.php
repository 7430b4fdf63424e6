<?php
// The smallest page: one line of text.
header('Content-Type: text/plain');
echo "Hello, world!\n";
