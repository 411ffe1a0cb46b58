console.log("kinds");
