/* block */ SELECT 1 OFFSET $1 ; ; 
